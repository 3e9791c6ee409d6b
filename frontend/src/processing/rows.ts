import { h } from '../lib/dom.js';
import { formatAgo, formatDateTime, formatDuration, setBadge } from '../lib/format.js';
import { session } from '../lib/session.js';
import type { Task } from '../lib/types.js';

/** Cells carry their column name so the narrow layout can label them. */
const cell = (label: string, ...children: (Node | string | number)[]) =>
  h('td', { 'data-label': label }, ...children);

export function timeElement(iso: string): HTMLTimeElement {
  return h('time', { datetime: iso, title: formatDateTime(iso) }, formatAgo(iso));
}

export function gameLabel(gameId: number, title: string | null | undefined): string {
  if (title === undefined) return `#${gameId}`;
  return title === null ? `#${gameId} (deleted)` : `#${gameId} ${title}`;
}

export interface RowActions {
  retry(task: Task, button: HTMLButtonElement): void;
  journey(task: Task): void;
  titleOf(gameId: number): string | null | undefined;
}

/**
 * Failed and stalled catalog events can be published again, by an editor or above (the button is
 * not there for anyone else); custom messages only by the producer.
 */
export const canRetry = (task: Task) =>
  task.type === 'game' && (task.status === 'failed' || task.stalled) && session.can('editor');

/** Beside the status, not instead of it: a stalled task is still pending or processing. */
function stalledBadge(task: Task): HTMLElement {
  const waited = formatDuration(Date.now() - Date.parse(task.updatedAt));
  const why = `No progress for ${waited}; its message may be lost`;
  // the title is for pointers; the hidden text says the same to screen readers
  return h(
    'span',
    { class: 'badge badge-stalled', title: why },
    'Stalled',
    h('span', { class: 'visually-hidden' }, `: ${why}`),
  );
}

function journeyButton(task: Task, actions: RowActions): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'button small' }, 'Journey');
  button.setAttribute('aria-label', `Journey of message ${task.messageId}`);
  button.addEventListener('click', () => actions.journey(task));
  return button;
}

export function taskRow(task: Task, actions: RowActions): HTMLTableRowElement {
  const badge = h('span', {});
  setBadge(badge, task.status);
  const status = task.stalled ? [badge, ' ', stalledBadge(task)] : [badge];
  const what = task.type === 'custom' ? 'custom message' : (task.action ?? 'unknown');
  const game =
    task.gameId === null
      ? h('span', { class: 'muted' }, '—')
      : h(
          'span',
          { 'data-game-cell': task.gameId },
          gameLabel(task.gameId, actions.titleOf(task.gameId)),
        );
  const error = task.lastError
    ? h('span', { class: 'error-text', title: task.lastError }, task.lastError)
    : h('span', { class: 'muted' }, '—');
  let retry: Node | string = '';
  if (canRetry(task)) {
    const button = h('button', { type: 'button', class: 'button small' }, 'Retry');
    button.setAttribute('aria-label', `Retry message ${task.messageId}`);
    button.addEventListener('click', () => actions.retry(task, button));
    retry = button;
  }
  return h(
    'tr',
    {
      'data-message-id': task.messageId,
      'data-status': task.status,
      'data-stalled': String(task.stalled),
    },
    cell('Status', ...status),
    cell('Action', what),
    cell('Game', game),
    cell('Attempts', task.attempts),
    cell('Last error', error),
    cell('Created', timeElement(task.createdAt)),
    cell('Updated', timeElement(task.updatedAt)),
    cell(
      'Message',
      h('code', { title: task.messageId }, task.messageId.slice(0, 8)),
      ' ',
      journeyButton(task, actions),
    ),
    cell('', retry),
  );
}
