import { byId, h } from '../../lib/dom.js';
import { type DeadLetterFilter, type DeadLetterSummary, deadLetters } from './api.js';

const PAGE_SIZE = 25;
const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/**
 * The filtered list: a page of messages, newest parked first, with a checkbox each (the
 * selection survives paging and refreshes) and an Open button. Pages follow the API's cursors;
 * the ones already seen are kept to go back.
 */
export class DeadLetterList {
  private readonly rows = byId('dl-rows');
  private readonly pageInfo = byId('dl-page');
  private readonly selectPage = byId<HTMLInputElement>('dl-select-page');
  private readonly prev = byId<HTMLButtonElement>('dl-prev');
  private readonly next = byId<HTMLButtonElement>('dl-next');
  private readonly selectionInfo = byId('dl-selection');
  /** Cursors of the pages before the current one (the first page has none). */
  private cursors: (string | undefined)[] = [undefined];
  private nextCursor: string | undefined;
  private items: DeadLetterSummary[] = [];
  readonly selected = new Set<number>();
  filter: DeadLetterFilter = {};
  total = 0;

  constructor(
    private readonly open: (id: number) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.prev.addEventListener('click', () => void this.turn(-1));
    this.next.addEventListener('click', () => void this.turn(1));
    this.selectPage.addEventListener('change', () => {
      for (const item of this.items) {
        if (this.selectPage.checked) this.selected.add(item.id);
        else this.selected.delete(item.id);
      }
      this.draw();
    });
  }

  /** Goes back to the first page, of `filter`; a new filter clears the selection. */
  setFilter(filter: DeadLetterFilter): void {
    this.filter = filter;
    this.cursors = [undefined];
    this.selected.clear();
  }

  /** Reads the current page (after an action, or when more messages were parked). */
  async reload(): Promise<void> {
    const page = await deadLetters.list(this.filter, PAGE_SIZE, this.cursors.at(-1));
    this.items = page.items;
    this.total = page.total;
    this.nextCursor = page.next;
    this.draw();
  }

  clearSelection(): void {
    this.selected.clear();
    this.draw();
  }

  private async turn(step: 1 | -1): Promise<void> {
    if (step === 1 && this.nextCursor) this.cursors.push(this.nextCursor);
    if (step === -1 && this.cursors.length > 1) this.cursors.pop();
    try {
      await this.reload();
    } catch (error) {
      this.onError(error);
    }
    (step === 1 ? this.next : this.prev).focus();
  }

  private draw(): void {
    const focused = (document.activeElement as HTMLElement | null)?.dataset.rowAction;
    this.rows.replaceChildren(...this.items.map((item) => this.row(item)));
    if (focused) this.rows.querySelector<HTMLElement>(`[data-row-action="${focused}"]`)?.focus();
    const first = (this.cursors.length - 1) * PAGE_SIZE;
    this.pageInfo.textContent =
      this.total === 0
        ? 'No message matches.'
        : `Showing ${first + 1}–${first + this.items.length} of ${this.total}.`;
    this.prev.disabled = this.cursors.length === 1;
    this.next.disabled = !this.nextCursor;
    const onPage = this.items.filter((i) => this.selected.has(i.id)).length;
    this.selectPage.checked = this.items.length > 0 && onPage === this.items.length;
    this.selectPage.indeterminate = onPage > 0 && onPage < this.items.length;
    this.selectionInfo.textContent = `${this.selected.size} selected.`;
  }

  private row(item: DeadLetterSummary): HTMLTableRowElement {
    const label = `dead letter ${item.id}${item.messageId ? ` (${item.messageId})` : ''}`;
    const check = h('input', { type: 'checkbox', 'aria-label': `Select ${label}` });
    check.dataset.rowAction = `select-${item.id}`;
    check.checked = this.selected.has(item.id);
    check.addEventListener('change', () => {
      if (check.checked) this.selected.add(item.id);
      else this.selected.delete(item.id);
      this.draw();
    });
    const open = h('button', { type: 'button', 'aria-label': `Open ${label}` }, 'Open');
    open.dataset.rowAction = `open-${item.id}`;
    open.addEventListener('click', () => this.open(item.id));
    const status = item.replayedAt
      ? h('span', { class: 'replayed' }, `Replayed ${time(item.replayedAt)}`)
      : h('span', { class: 'parked' }, 'Parked');
    return h(
      'tr',
      { 'data-dead-letter-id': String(item.id), 'data-message-id': item.messageId ?? '' },
      h('td', {}, check),
      h('td', {}, time(item.parkedAt)),
      h('td', { class: 'reason' }, item.reason ?? '(no x-error header)'),
      h('td', {}, item.type, item.gameId !== null ? ` · game ${item.gameId}` : ''),
      h('td', {}, h('code', {}, item.messageId ?? '(none)')),
      h('td', {}, status),
      h('td', {}, open),
    );
  }
}
