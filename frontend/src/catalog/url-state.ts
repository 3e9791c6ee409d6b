import { control } from '../lib/filter-form.js';
import type { Pager } from '../lib/pager.js';

export const FILTERS = [
  'search',
  'platformId',
  'genreId',
  'yearCategory',
  'status',
  'sort',
] as const;

/** "Best match": relevance while searching, title A–Z otherwise (the sort select's first option). */
const DEFAULT_SORT = 'relevance';

/**
 * The address bar keeps the filters, the page and the page's cursor, so a reload or a shared link
 * shows the same view, the page found by a seek however deep it is.
 */
export function saveToUrl(filters: HTMLFormElement, pager: Pager): void {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = control(filters, name).value.trim();
    if (value && !(name === 'sort' && value === DEFAULT_SORT)) params.set(name, value);
  }
  if (pager.page > 0) params.set('page', String(pager.page + 1));
  const after = pager.cursor();
  if (after) params.set('after', after);
  const search = params.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

export function restoreFromUrl(filters: HTMLFormElement, pager: Pager): void {
  const params = new URLSearchParams(location.search);
  for (const name of FILTERS) {
    const value = params.get(name);
    const field = control(filters, name);
    if (value === null) continue;
    // a select only takes values it offers; anything else stays at "All"
    if (field instanceof HTMLSelectElement && ![...field.options].some((o) => o.value === value)) {
      continue;
    }
    field.value = value;
  }
  pager.restore(Number(params.get('page') ?? 1) - 1, params.get('after') ?? undefined);
}
