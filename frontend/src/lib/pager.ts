/**
 * Page navigation over a list the API pages by cursor (keyset: `after` = the previous page's
 * X-Next-Cursor). Every page reached by "next" is a seek, however deep, and shows no row twice
 * when rows are added or removed meanwhile. A page whose cursor is not known (a search, which the
 * API pages by offset, or a page opened from a link without one) is asked for by offset.
 */
export class Pager {
  page = 0;
  /** cursors[i] starts page i; page 0 starts at the beginning. */
  private cursors: (string | undefined)[] = [];

  constructor(private readonly size: number) {}

  /** The paging parameters of the current page. */
  position(): { offset: number; after?: string } {
    const after = this.cursors[this.page];
    return after ? { offset: 0, after } : { offset: this.page * this.size };
  }

  /** Records the cursor of the page after the one just loaded. */
  loaded(next: string | null): void {
    if (next) this.cursors[this.page + 1] = next;
  }

  /** Whether a page follows, given the list's total. */
  hasNext(total: number): boolean {
    return (this.page + 1) * this.size < total;
  }

  forward(): void {
    this.page += 1;
  }

  back(): void {
    this.page = Math.max(0, this.page - 1);
  }

  /** Back to the first page, forgetting every cursor (the filters or the order changed). */
  reset(): void {
    this.page = 0;
    this.cursors = [];
  }

  /** Opens page `page` (0-based), starting at `after` when known (from the address bar). */
  restore(page: number, after: string | undefined): void {
    this.reset();
    this.page = page;
    if (page > 0 && after) this.cursors[page] = after;
  }

  /** The current page's cursor, to keep in the address bar. */
  cursor(): string | undefined {
    return this.cursors[this.page];
  }
}
