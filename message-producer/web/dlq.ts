import { type ParkedMessage, api } from './api.js';
import { byId, el } from './dom.js';

const LIMIT = 50;

/** The parked-message list: why each one failed, its body and headers, and replay buttons. */
export class ParkedList {
  private readonly list = byId<HTMLOListElement>('dlq-list');
  private readonly summary = byId('dlq-summary');
  private readonly error = byId('dlq-error');
  private readonly title = byId('dlq-title');
  private readonly replayAll = byId<HTMLButtonElement>('dlq-replay-all');
  private busy = false;

  constructor(private readonly onReplayed: (ids: string[]) => void) {
    byId('dlq-refresh').addEventListener('click', () => void this.refresh());
    this.replayAll.addEventListener('click', () => void this.replay({ all: true }));
  }

  async refresh(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { total, messages } = await api.parked(LIMIT);
      this.error.hidden = true;
      this.render(messages);
      this.replayAll.disabled = total === 0;
      this.summary.textContent =
        total === 0
          ? 'No parked messages.'
          : `${total} parked${total > messages.length ? `, showing the first ${messages.length}` : ''}.`;
    } catch (error) {
      this.showError(error);
    } finally {
      this.busy = false;
    }
  }

  private render(messages: ParkedMessage[]): void {
    // keep keyboard focus on the same replay button across a re-render
    const focusedId = (document.activeElement as HTMLElement | null)?.dataset.replayId;
    this.list.replaceChildren(...messages.map((m) => this.item(m)));
    if (focusedId) {
      const again = [...this.list.querySelectorAll<HTMLElement>('[data-replay-id]')].find(
        (b) => b.dataset.replayId === focusedId,
      );
      again?.focus();
    }
  }

  private item(m: ParkedMessage): HTMLLIElement {
    const id = m.messageId;
    const button = el('button', { type: 'button' }, 'Replay');
    if (id) {
      button.dataset.replayId = id;
      button.setAttribute('aria-label', `Replay message ${id}`);
      button.addEventListener('click', () => void this.replay({ messageId: id }));
    } else {
      button.disabled = true;
      button.title = 'No message id: use Replay all';
    }
    const headers = Object.keys(m.headers).length ? JSON.stringify(m.headers, null, 2) : '(none)';
    return el(
      'li',
      { 'data-message-id': id ?? '' },
      el('p', { class: 'reason' }, m.error ?? '(no x-error header)'),
      el(
        'dl',
        { class: 'meta' },
        el('dt', {}, 'message id'),
        el('dd', {}, el('code', {}, id ?? '(none)')),
        el('dt', {}, 'failed at'),
        el('dd', {}, m.failedAt ?? '—'),
        el('dt', {}, 'retries'),
        el('dd', {}, String(m.retryCount)),
      ),
      el('p', { class: 'hint' }, m.bodyIsJson ? 'Body (JSON)' : 'Body (not JSON)'),
      el('pre', {}, m.bodyIsJson ? JSON.stringify(m.body, null, 2) : m.bodyText),
      el('p', { class: 'hint' }, 'Headers'),
      el('pre', {}, headers),
      button,
    );
  }

  private async replay(target: { messageId: string } | { all: true }): Promise<void> {
    this.summary.textContent = 'Replaying…';
    try {
      const { replayed, messageIds } = await api.replay(target);
      this.onReplayed(messageIds);
      await this.refresh();
      this.summary.textContent = `Replayed ${replayed} to the main queue. ${this.summary.textContent ?? ''}`;
      this.title.focus();
    } catch (error) {
      await this.refresh(); // a replay that failed part way has still moved some messages
      this.showError(error, 'Replay failed');
    }
  }

  private showError(error: unknown, what = 'Parked messages unavailable'): void {
    this.error.hidden = false;
    this.error.textContent = `${what}: ${error instanceof Error ? error.message : String(error)}`;
    this.summary.textContent = '';
  }
}
