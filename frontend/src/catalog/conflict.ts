import { ApiError, api, type GameVersion } from '../lib/catalog-api.js';
import { byId } from '../lib/dom.js';
import { toast } from '../lib/toast.js';
import type { Game } from '../lib/types.js';
import { lastChangeText } from './last-change.js';

export interface ConflictActions {
  /** Put the newer version into the form (what was typed is replaced). */
  reload(latest: GameVersion): void;
  /** Save what is in the form over the newer version (its ETag in `If-Match`). */
  overwrite(latest: GameVersion): void;
}

/**
 * The edit form's notice when a save came back 412: someone saved the game after this form was
 * opened. It says who and when (the game's history), and offers Reload or Overwrite; nothing is
 * written over another person's change without that choice.
 */
export class ConflictNotice {
  private readonly text = byId('conflict-text');
  private readonly actions = byId('conflict-actions');
  private readonly reload = byId<HTMLButtonElement>('conflict-reload');
  private latest: GameVersion | undefined;

  constructor(choices: ConflictActions) {
    this.reload.addEventListener('click', () => {
      const latest = this.latest;
      if (!latest) return;
      choices.reload(latest);
      this.clear();
      toast(`Loaded the newer version of “${latest.game.title}”.`, 'info');
      (this.text.closest('form')?.elements.namedItem('title') as HTMLElement | null)?.focus();
    });
    byId('conflict-overwrite').addEventListener('click', () => {
      const latest = this.latest;
      if (!latest) return;
      this.clear();
      choices.overwrite(latest);
    });
  }

  /** Reads the game as it is now and who changed it, then asks what to do. */
  async show(opened: Game): Promise<void> {
    this.clear();
    let latest: GameVersion;
    let who: string;
    try {
      [latest, who] = await Promise.all([api.gameVersion(opened.id), lastChangeText(opened.id)]);
    } catch (error) {
      this.text.textContent =
        error instanceof ApiError && error.status === 404
          ? `“${opened.title}” no longer exists: someone deleted it after you opened it.`
          : `“${opened.title}” was changed after you opened it, and the newer version could not be read: ${(error as Error).message}`;
      return;
    }
    this.latest = latest;
    this.text.textContent =
      `Not saved: “${opened.title}” was changed by ${who} after you opened it. ` +
      'Reload puts their version in the form (what you typed here is replaced); Overwrite saves yours over theirs.';
    this.actions.hidden = false;
    this.reload.focus();
  }

  clear(): void {
    this.latest = undefined;
    this.text.textContent = '';
    this.actions.hidden = true;
  }
}
