import { ApiError, api, type GameQuery } from '../lib/catalog-api.js';
import { byId, debounce, h } from '../lib/dom.js';
import { valueOf } from '../lib/filter-form.js';
import { Pager } from '../lib/pager.js';
import { toast } from '../lib/toast.js';
import type { Game, Task } from '../lib/types.js';
import { gameCard } from './card.js';
import { FILTERS, saveToUrl } from './url-state.js';

const PAGE_SIZE = 12;
const number = (n: number) => n.toLocaleString('en');

/**
 * The grid of game cards for the filters and page, with its summary line; a task change for a
 * game on screen refetches that game and redraws its card.
 */
export class GameGrid {
  private readonly grid = byId<HTMLUListElement>('game-grid');
  private readonly summary = byId('result-summary');
  readonly pager = new Pager(PAGE_SIZE, () => {
    saveToUrl(this.filters, this.pager);
    void this.load();
  });
  private games = new Map<number, Game>();
  private loading: AbortController | undefined;
  private readonly refetchQueue = new Set<number>();
  private readonly refetchSoon = debounce(() => {
    const ids = [...this.refetchQueue];
    this.refetchQueue.clear();
    for (const id of ids) void this.refetch(id);
  }, 150);

  constructor(
    private readonly filters: HTMLFormElement,
    private readonly onOpen: (game: Game, opener: HTMLElement) => void,
  ) {}

  private query(): GameQuery {
    const q: GameQuery = { limit: PAGE_SIZE, ...this.pager.position() };
    for (const name of FILTERS) q[name] = valueOf(this.filters, name);
    return q;
  }

  private card(game: Game): HTMLLIElement {
    return gameCard(game, this.onOpen);
  }

  private render(list: Game[]): void {
    const { page, count: total } = this.pager;
    this.games = new Map(list.map((g) => [g.id, g]));
    this.grid.replaceChildren(...list.map((game) => this.card(game)));
    if (!list.length) {
      const text = total ? 'No games on this page.' : 'No games match.';
      this.grid.append(h('li', { class: 'empty' }, text));
    }
    const first = page * PAGE_SIZE + 1;
    const shown = total ? `, showing ${number(first)}–${number(first + list.length - 1)}` : '';
    this.summary.textContent = `${number(total)} ${total === 1 ? 'game' : 'games'}${shown}`;
    this.pager.render();
  }

  /** Loads the current page; a newer load cancels an older one so answers never arrive out of order. */
  async load({ quiet = false } = {}): Promise<void> {
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    if (!quiet) this.grid.setAttribute('aria-busy', 'true');
    try {
      const result = await api.games(this.query(), controller.signal);
      this.pager.loaded(result);
      if (!result.items.length && this.pager.page > 0 && result.total > 0) {
        // the last page emptied: step back to what is now the last page (by offset)
        this.pager.restore(this.pager.pages - 1);
        saveToUrl(this.filters, this.pager);
        return this.load({ quiet });
      }
      this.render(result.items);
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      if (this.pager.droppedRefusedCursor(error)) {
        saveToUrl(this.filters, this.pager);
        return this.load({ quiet });
      }
      if (error instanceof ApiError && error.details.length) {
        this.summary.textContent = error.details.map((d) => `${d.field}: ${d.message}`).join('; ');
      } else {
        toast(`Could not load games: ${(error as Error).message}`, 'error');
      }
    } finally {
      if (this.loading === controller) this.grid.removeAttribute('aria-busy');
    }
  }

  /** A task changed: the game (not the task) says which status counts, so refetch the game. */
  onTask(task: Task): void {
    if (task.gameId !== null && this.games.has(task.gameId)) {
      this.refetchQueue.add(task.gameId);
      this.refetchSoon();
    }
  }

  /** Any game on screen still waiting for its processing. */
  get anyUnfinished(): boolean {
    return [...this.games.values()].some(
      (g) => g.processingStatus === 'pending' || g.processingStatus === 'processing',
    );
  }

  /** A late answer for an older event never wins: the game's own status is what is shown. */
  private async refetch(id: number): Promise<void> {
    if (!this.grid.querySelector(`[data-game-id="${id}"]`)) return;
    try {
      const game = await api.game(id);
      this.games.set(id, game);
      this.grid.querySelector(`[data-game-id="${id}"]`)?.replaceWith(this.card(game));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) void this.load({ quiet: true });
    }
  }
}
