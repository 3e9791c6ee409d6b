import { byId } from './dom.js';

/**
 * Previous/next paging over a total: the one place that knows the page number, the page count,
 * the "Page x of y" line and when the buttons are disabled. The page's HTML has `#page-info`,
 * `#prev-page` and `#next-page`.
 */
export class Pager {
  /** Zero-based. */
  page = 0;
  total = 0;
  private readonly info = byId('page-info');
  private readonly prev = byId<HTMLButtonElement>('prev-page');
  private readonly next = byId<HTMLButtonElement>('next-page');

  constructor(
    readonly pageSize: number,
    onTurn: () => void,
  ) {
    this.prev.addEventListener('click', () => {
      this.page = Math.max(0, this.page - 1);
      onTurn();
    });
    this.next.addEventListener('click', () => {
      this.page += 1;
      onTurn();
    });
  }

  get offset(): number {
    return this.page * this.pageSize;
  }

  get pages(): number {
    return Math.max(1, Math.ceil(this.total / this.pageSize));
  }

  render(): void {
    this.info.textContent = `Page ${this.page + 1} of ${this.pages}`;
    this.prev.disabled = this.page === 0;
    this.next.disabled = this.page + 1 >= this.pages;
  }
}
