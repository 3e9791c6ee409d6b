import { ApiError } from './api-client.js';
import { byId } from './dom.js';

/** Where a page starts: after a cursor (a seek) or, when its cursor is not known, at an offset. */
export interface PagePosition {
  offset: number;
  after?: string;
}

/**
 * Previous/next paging over a list the API pages by cursor (keyset: `after` = the previous page's
 * `X-Next-Cursor`): the one place that knows the page number, the cursors seen, the page count,
 * the "Page x of y" line and when the buttons are disabled. A page reached by "Next" is a seek
 * however deep it is, and shows no row twice when rows are added or removed meanwhile; "Previous"
 * reuses the cursors already seen. A page whose cursor is not known (a search, which the API pages
 * by offset, or a page opened from a link without one) is asked for by offset.
 * The page's HTML has `#page-info`, `#prev-page` and `#next-page`.
 */
export class Pager {
  private current = 0;
  private total = 0;
  /** cursors[i] starts page i; page 0 starts at the beginning. */
  private cursors: (string | undefined)[] = [];
  private readonly info = byId('page-info');
  private readonly prev = byId<HTMLButtonElement>('prev-page');
  private readonly next = byId<HTMLButtonElement>('next-page');

  constructor(
    readonly pageSize: number,
    onTurn: () => void,
  ) {
    this.prev.addEventListener('click', () => {
      this.current = Math.max(0, this.current - 1);
      onTurn();
    });
    this.next.addEventListener('click', () => {
      this.current += 1;
      onTurn();
    });
  }

  /** The current page, zero-based. */
  get page(): number {
    return this.current;
  }

  get pages(): number {
    return Math.max(1, Math.ceil(this.total / this.pageSize));
  }

  /** The number of rows of the whole list, as last read. */
  get count(): number {
    return this.total;
  }

  /** The paging parameters of the current page's request. */
  position(): PagePosition {
    const after = this.cursors[this.current];
    return after ? { offset: 0, after } : { offset: this.current * this.pageSize };
  }

  /** The current page's cursor (none on the first page or when it was reached by offset). */
  cursor(): string | undefined {
    return this.cursors[this.current];
  }

  /** Records what a page's answer says: the list's total and the cursor of the page after it. */
  loaded({ total, next }: { total: number; next: string | null }): void {
    this.total = total;
    if (next) this.cursors[this.current + 1] = next;
  }

  /** The list grew or shrank by `by` rows without a re-read (a change applied in place). */
  adjustCount(by: number): void {
    this.total = Math.max(0, this.total + by);
  }

  /**
   * Whether `error` refused the current page's cursor (a link with a cursor of another order, or a
   * search, which pages by offset); the cursor is then dropped and the page is to be asked for
   * again, by offset.
   */
  droppedRefusedCursor(error: unknown): boolean {
    const refused =
      error instanceof ApiError &&
      error.status === 400 &&
      error.details.some((d) => d.field === 'after') &&
      this.cursor() !== undefined;
    if (refused) this.restore(this.current);
    return refused;
  }

  /** Back to the first page, forgetting every cursor (the filters or the order changed). */
  reset(): void {
    this.restore(0);
  }

  /** Opens page `page` (zero-based), starting at `after` when it is known (from the address bar). */
  restore(page: number, after?: string): void {
    this.current = Math.max(0, Math.floor(page)) || 0;
    this.cursors = [];
    if (this.current > 0 && after) this.cursors[this.current] = after;
  }

  render(): void {
    const number = (n: number) => n.toLocaleString('en');
    this.info.textContent = `Page ${number(this.current + 1)} of ${number(this.pages)}`;
    this.prev.disabled = this.current === 0;
    this.next.disabled = this.current + 1 >= this.pages;
  }
}
