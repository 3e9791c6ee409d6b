import { ApiError, api } from '../lib/catalog-api.js';
import { gameLabel } from './rows.js';

/** Tasks carry a game id; each game's title is looked up once and written into its cells. */
export class GameTitles {
  private readonly titles = new Map<number, string | null>();
  private readonly requested = new Set<number>();

  constructor(private readonly rows: HTMLElement) {}

  /** The title, null for a deleted game, undefined while unknown. */
  titleOf(id: number): string | null | undefined {
    return this.titles.get(id);
  }

  /** The next look-up asks again (an update may have renamed the game, a delete removed it). */
  forget(id: number): void {
    this.requested.delete(id);
  }

  lookUp(ids: Iterable<number>): void {
    for (const id of ids) {
      if (this.requested.has(id)) continue;
      this.requested.add(id);
      api.game(id).then(
        (game) => this.show(id, game.title),
        (error: unknown) => {
          if (error instanceof ApiError && error.status === 404) this.show(id, null);
          else this.requested.delete(id); // try again on the next render
        },
      );
    }
  }

  private show(id: number, title: string | null): void {
    this.titles.set(id, title);
    for (const el of this.rows.querySelectorAll(`[data-game-cell="${id}"]`)) {
      el.textContent = gameLabel(id, title);
    }
  }
}
