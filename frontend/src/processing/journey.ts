import type { JourneyEntry } from '@retro/common/api';
import { api } from '../lib/catalog-api.js';
import { enableClosing, openDialog } from '../lib/dialog.js';
import { h } from '../lib/dom.js';
import { formatDateTime } from '../lib/format.js';
import { toast } from '../lib/toast.js';

/** "+1.204 s" after the step before: the gaps are what an operator looks for. */
function since(previous: JourneyEntry | undefined, entry: JourneyEntry): string {
  if (!previous) return '—';
  const ms = Date.parse(entry.at) - Date.parse(previous.at);
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(3)} s`;
}

function detailText(entry: JourneyEntry): string {
  return Object.entries(entry.detail)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(', ');
}

function timeline(entries: JourneyEntry[]): HTMLElement {
  if (entries.length === 0)
    return h('p', { class: 'muted' }, 'No steps recorded for this message.');
  const head = ['Time', 'Since previous', 'Stage', 'Service', 'Detail'].map((label) =>
    h('th', { scope: 'col' }, label),
  );
  const rows = entries.map((entry, i) =>
    h(
      'tr',
      { 'data-stage': entry.stage },
      h('td', {}, h('time', { datetime: entry.at }, formatDateTime(entry.at))),
      h('td', {}, since(entries[i - 1], entry)),
      h('td', {}, entry.stage),
      h('td', {}, entry.instance ? `${entry.service} (${entry.instance})` : entry.service),
      h('td', {}, detailText(entry)),
    ),
  );
  return h(
    'table',
    { class: 'task-table journey-table' },
    h('caption', { class: 'visually-hidden' }, 'Steps in time order'),
    h('thead', {}, h('tr', {}, ...head)),
    h('tbody', {}, ...rows),
  );
}

/** Opens the journey of one message as a timeline, a row per step. */
export async function showJourney(messageId: string): Promise<void> {
  let entries: JourneyEntry[];
  try {
    entries = (await api.taskJourney(messageId)).entries;
  } catch (error) {
    toast(`Could not load the journey: ${(error as Error).message}`, 'error');
    return;
  }
  const title = h('h2', { id: 'journey-title' }, 'Journey of message ', h('code', {}, messageId));
  const close = h('button', { type: 'button', class: 'button', 'data-close': '' }, 'Close');
  const dialog = h(
    'dialog',
    { id: 'journey-dialog', 'aria-labelledby': 'journey-title' },
    title,
    timeline(entries),
    h('div', { class: 'dialog-actions' }, close),
  );
  document.getElementById('journey-dialog')?.remove();
  document.body.append(dialog);
  enableClosing(dialog);
  dialog.addEventListener('close', () => dialog.remove(), { once: true });
  openDialog(dialog, { focus: close });
}
