import { ApiError, api } from '../lib/catalog-api.js';
import { enableClosing, openDialog } from '../lib/dialog.js';
import { byId, h } from '../lib/dom.js';
import { formatDateTime, setBadge } from '../lib/format.js';
import { toast } from '../lib/toast.js';
import type { Game } from '../lib/types.js';
import { cover } from './card.js';
import { lastChangeText } from './last-change.js';

export interface GameViewActions {
  /** Opens the edit form; `leave` closes the details once the form is ready to take over. */
  edit(game: Game, returnTo: HTMLElement | null, leave: () => void): void;
  deleted(game: Game): void;
}

/** The details dialog, and the confirmation before a delete. */
export class GameView {
  private readonly dialog = byId<HTMLDialogElement>('view-dialog');
  private readonly content = byId('view-content');
  private readonly deleteDialog = byId<HTMLDialogElement>('delete-dialog');
  private readonly deleteText = byId('delete-text');
  private readonly confirm = byId<HTMLButtonElement>('delete-confirm');
  private game: Game | undefined;
  /** The version the delete confirmation was asked for: the delete goes only against it. */
  private etag: string | null = null;
  private returnTo: HTMLElement | null = null;

  constructor(private readonly actions: GameViewActions) {
    enableClosing(this.dialog);
    enableClosing(this.deleteDialog);
    byId('view-edit').addEventListener('click', () => {
      if (!this.game) return;
      this.actions.edit(this.game, this.returnTo, () => this.dialog.close());
    });
    byId('view-delete').addEventListener('click', () => {
      if (this.game) void this.askDelete(this.game, this.returnTo);
    });
    this.confirm.addEventListener('click', () => void this.delete());
  }

  open(game: Game, returnTo: HTMLElement | null): void {
    this.game = game;
    this.returnTo = returnTo;
    const badge = h('span', {});
    setBadge(badge, game.processingStatus);
    const row = (term: string, ...value: (string | number | Node)[]) => [
      h('dt', {}, term),
      h('dd', {}, ...value),
    ];
    this.content.replaceChildren(
      h('h2', { id: 'view-title' }, game.title),
      h(
        'div',
        { class: 'view-layout' },
        cover(game),
        h(
          'dl',
          { class: 'facts' },
          row('Platform', game.platformName),
          row('Genre', game.genreName),
          row('Developer', game.developer),
          row('Released', game.releaseYear, ` (${game.yearCategory})`),
          row('Processing', badge),
          row('Added', formatDateTime(game.createdAt)),
          row('Updated', formatDateTime(game.updatedAt)),
        ),
      ),
      h('p', { class: 'description' }, game.description),
    );
    // Close, not Delete, takes focus: Enter on an opened dialog must never start a removal
    openDialog(this.dialog, {
      focus: this.dialog.querySelector<HTMLElement>('[data-close]'),
      returnTo,
    });
  }

  /** Reads the game as it is now, so the confirmation names it and the delete hits that version. */
  async askDelete(game: Game, returnTo: HTMLElement | null): Promise<void> {
    if (this.dialog.open) this.dialog.close();
    let current = game;
    this.etag = null;
    try {
      ({ game: current, etag: this.etag } = await api.gameVersion(game.id));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.actions.deleted(game);
        return;
      }
      // the delete can still go without a version: the server then deletes what is there
    }
    this.game = current;
    this.deleteText.textContent = `“${current.title}” will be removed from the catalog.`;
    this.confirm.textContent = 'Delete';
    openDialog(this.deleteDialog, {
      focus: this.deleteDialog.querySelector<HTMLElement>('[data-close]'),
      returnTo,
    });
  }

  private async delete(): Promise<void> {
    const game = this.game;
    if (!game || this.confirm.disabled) return;
    this.confirm.disabled = true;
    try {
      await api.deleteGame(game.id, this.etag);
      this.deleteDialog.close();
      this.actions.deleted(game);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.deleteDialog.close();
        this.actions.deleted(game);
      } else if (error instanceof ApiError && error.status === 412) {
        await this.changedMeanwhile(game);
      } else {
        toast(`Could not delete “${game.title}”: ${(error as Error).message}`, 'error');
      }
    } finally {
      this.confirm.disabled = false;
    }
  }

  /** Someone saved the game since the confirmation opened: say who, and ask again for this one. */
  private async changedMeanwhile(game: Game): Promise<void> {
    try {
      const [latest, who] = await Promise.all([api.gameVersion(game.id), lastChangeText(game.id)]);
      this.game = latest.game;
      this.etag = latest.etag;
      this.deleteText.textContent =
        `Not deleted: “${game.title}” was changed by ${who} after you opened it` +
        (latest.game.title === game.title ? '' : ` (now “${latest.game.title}”)`) +
        '. Delete this newer version?';
      this.confirm.textContent = 'Delete anyway';
      this.deleteDialog.querySelector<HTMLElement>('[data-close]')?.focus();
    } catch (error) {
      toast(`Could not delete “${game.title}”: ${(error as Error).message}`, 'error');
    }
  }
}
