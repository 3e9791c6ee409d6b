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

/** The address bar keeps the filters and page, so a reload or a shared link shows the same view. */
export function saveToUrl(filters: HTMLFormElement, pager: Pager): void {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = control(filters, name).value.trim();
    if (value && !(name === 'sort' && value === 'title')) params.set(name, value);
  }
  if (pager.page > 0) params.set('page', String(pager.page + 1));
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
  pager.page = Math.max(0, Number(params.get('page') ?? 1) - 1) || 0;
}
