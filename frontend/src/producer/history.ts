import { byId, h } from '../lib/dom.js';
import type { MessageKind } from './api.js';

/** One line of the session history. */
export interface HistoryEntry {
  at: string;
  kind: MessageKind;
  label: string;
  ok: boolean;
  /** Message id, or the bulk job id; the error text when the publish failed. */
  detail: string;
  count: number;
}

const KEY = 'producer-history';
const MAX = 200;

/** What this browser tab published, newest first; kept in sessionStorage across reloads. */
export class History {
  private readonly list = byId<HTMLOListElement>('history');
  private entries: HistoryEntry[] = load();

  constructor() {
    byId('history-clear').addEventListener('click', () => {
      this.entries = [];
      this.save();
      this.render();
    });
    this.render();
  }

  add(entry: HistoryEntry): void {
    this.entries = [entry, ...this.entries].slice(0, MAX);
    this.save();
    this.render();
  }

  private render(): void {
    if (this.entries.length === 0) {
      this.list.replaceChildren(h('li', { class: 'hint' }, 'Nothing published yet.'));
      return;
    }
    this.list.replaceChildren(
      ...this.entries.map((e) =>
        h(
          'li',
          { class: e.ok ? '' : 'failed' },
          h('time', { datetime: e.at }, new Date(e.at).toLocaleTimeString()),
          ` · ${e.label} (${e.kind}${e.count > 1 ? ` ×${e.count}` : ''}) · `,
          e.ok ? '✓ ' : '✗ ',
          e.ok ? h('code', {}, e.detail) : e.detail,
        ),
      ),
    );
  }

  private save(): void {
    try {
      sessionStorage.setItem(KEY, JSON.stringify(this.entries));
    } catch {
      // storage full or disabled: the history still lives in memory
    }
  }
}

function load(): HistoryEntry[] {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(stored) ? (stored as HistoryEntry[]) : [];
  } catch {
    return [];
  }
}
