import type { Status } from './types.js';

const LABELS: Record<Status, string> = {
  pending: 'Pending',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
};

export function statusLabel(status: string): string {
  return LABELS[status as Status] ?? status;
}

/** A status badge: the class picks the colour, the text says it (colour is never the only cue). */
export function setBadge(badge: HTMLElement, status: string): void {
  badge.className = `badge badge-${status in LABELS ? status : 'unknown'}`;
  badge.textContent = statusLabel(status);
  badge.dataset.status = status;
}

const DURATION_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
];

/** How long something has lasted, in the largest unit that fits twice ("3 minutes", "45 seconds"). */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const [unit, size] = DURATION_UNITS.find(([, size]) => seconds >= 2 * size) ?? ['second', 1];
  const amount = Math.floor(seconds / size);
  return new Intl.NumberFormat(undefined, { style: 'unit', unit, unitDisplay: 'long' }).format(
    amount,
  );
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Number.isNaN(seconds)) return iso;
  const abs = Math.abs(seconds);
  if (abs < 60) return relative.format(seconds, 'second');
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86_400), 'day');
}
