import { h } from '../lib/dom.js';
import { formatDuration, statusLabel } from '../lib/format.js';
import { STATUSES, type TaskCounts } from '../lib/types.js';

/** What "stalled" means, with the backend's threshold, for the count's tooltip. */
export function stalledMeaning(stalledAfterMs: number): string {
  return (
    `Pending or processing with no progress for more than ${formatDuration(stalledAfterMs)}: ` +
    'their messages may be lost, and catalog events can be retried'
  );
}

/**
 * One button per status, then stalled (a part of pending and processing) and all. Pressing one
 * filters the table by it; pressing the active one again clears the filter.
 */
export function countItems(
  counts: TaskCounts,
  active: string,
  pick: (status: string) => void,
): HTMLLIElement[] {
  const item = (status: string, label: string, count: number, title?: string) => {
    const button = h(
      'button',
      {
        type: 'button',
        class: `count count-${status || 'total'}`,
        'aria-pressed': String(active === status),
        title,
      },
      h('span', { class: 'count-number' }, count),
      h('span', { class: 'count-label' }, label),
    );
    button.addEventListener('click', () => pick(active === status ? '' : status));
    return h('li', {}, button);
  };
  return [
    ...STATUSES.map((s) => item(s, statusLabel(s), counts[s] ?? 0)),
    item(
      'stalled',
      'Stalled',
      counts.stalled ?? 0,
      counts.stalledAfterMs ? stalledMeaning(counts.stalledAfterMs) : undefined,
    ),
    item('', 'All', counts.total ?? 0),
  ];
}
