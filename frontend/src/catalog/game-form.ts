import { ApiError, api, type GameVersion } from '../lib/catalog-api.js';
import { enableClosing, openDialog } from '../lib/dialog.js';
import { byId } from '../lib/dom.js';
import { toast } from '../lib/toast.js';
import { ConflictNotice } from './conflict.js';
import { LIMITS, lastYear, validateGame, type GameFormValues } from '../lib/validation.js';
import type { FieldError, Game, GameInput } from '../lib/types.js';

type FieldName = keyof GameFormValues;
type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

const LABELS: Record<FieldName, string> = {
  title: 'Title',
  platformId: 'Platform',
  genreId: 'Genre',
  developer: 'Developer',
  releaseYear: 'Release year',
  description: 'Description',
  imageUrl: 'Image URL',
};
const FIELDS = Object.keys(LABELS) as FieldName[];

/** The server words its messages as "must be at most 100 characters": prefix the field's name. */
function sentence(field: FieldName, message: string): string {
  const text = /^[a-z]/.test(message) ? `${LABELS[field]} ${message}` : message;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export interface SavedEvent {
  game: Game;
  created: boolean;
}

/**
 * The add/edit dialog. Checks the values the way the server does before sending; whatever the
 * server still rejects is shown beside the field it names.
 */
export class GameForm {
  private readonly dialog = byId<HTMLDialogElement>('game-dialog');
  private readonly form = byId<HTMLFormElement>('game-form');
  private readonly heading = byId('game-dialog-title');
  private readonly formError = byId('form-error');
  private readonly submit = byId<HTMLButtonElement>('game-submit');
  private readonly counter = byId('game-description-count');
  /** The version being edited: its ETag goes with the save, so no save overwrites another. */
  private editing: GameVersion | undefined;
  private busy = false;
  private readonly conflict = new ConflictNotice({
    reload: (latest) => this.fill(latest),
    overwrite: (latest) => {
      if (this.editing) this.editing.etag = latest.etag;
      void this.save();
    },
  });

  constructor(private readonly onSaved: (event: SavedEvent) => void) {
    enableClosing(this.dialog);
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    // once a field shows an error, re-check it as the user types so the message goes away
    this.form.addEventListener('input', (event) => {
      const name = (event.target as Control).name as FieldName;
      if (name === 'description') this.updateCounter();
      if (!this.control(name).hasAttribute('aria-invalid')) return;
      const error = validateGame(this.values()).find((e) => e.field === name);
      this.setFieldError(name, error?.message);
    });
  }

  setOptions(platforms: { id: number; name: string }[], genres: { id: number; name: string }[]) {
    const fill = (select: HTMLSelectElement, items: { id: number; name: string }[]) =>
      select.append(...items.map((item) => new Option(item.name, String(item.id))));
    fill(this.control('platformId') as HTMLSelectElement, platforms);
    fill(this.control('genreId') as HTMLSelectElement, genres);
  }

  /** Opens the empty form to add a game. */
  openNew(returnTo?: HTMLElement | null): void {
    this.editing = undefined;
    this.reset('Add game', 'Add game');
    openDialog(this.dialog, { focus: this.control('title'), returnTo });
  }

  /**
   * Reads the game as it is now (and its version), then opens the form on it; `leave` closes
   * what it was opened from, once the form is there to take its place.
   */
  async open(game: Game, returnTo?: HTMLElement | null, leave?: () => void): Promise<void> {
    let version: GameVersion;
    try {
      version = await api.gameVersion(game.id);
    } catch (error) {
      const gone = error instanceof ApiError && error.status === 404;
      toast(
        gone
          ? `“${game.title}” no longer exists: someone deleted it.`
          : `Could not open “${game.title}”: ${(error as Error).message}`,
        'error',
      );
      return;
    }
    this.reset(`Edit “${version.game.title}”`, 'Save changes');
    this.fill(version);
    leave?.();
    openDialog(this.dialog, { focus: this.control('title'), returnTo });
  }

  private reset(heading: string, submit: string): void {
    this.form.reset();
    this.clearErrors();
    this.heading.textContent = heading;
    this.submit.textContent = submit;
    this.control('releaseYear').setAttribute('max', String(lastYear()));
    this.updateCounter();
  }

  /** Puts a version of the game into the form; a save then goes against that version. */
  private fill(version: GameVersion): void {
    const { game } = version;
    this.editing = version;
    this.clearErrors();
    const values: GameFormValues = {
      title: game.title,
      platformId: String(game.platformId),
      genreId: String(game.genreId),
      developer: game.developer,
      releaseYear: String(game.releaseYear),
      description: game.description,
      imageUrl: game.imageUrl ?? '',
    };
    for (const field of FIELDS) this.control(field).value = values[field];
    this.updateCounter();
  }

  private control(name: FieldName): Control {
    return this.form.elements.namedItem(name) as Control;
  }

  private values(): GameFormValues {
    const entries = FIELDS.map((f) => [f, this.control(f).value] as const);
    return Object.fromEntries(entries) as Record<FieldName, string>;
  }

  private input(values: GameFormValues): GameInput {
    return {
      title: values.title.trim(),
      platformId: Number(values.platformId),
      genreId: Number(values.genreId),
      developer: values.developer.trim(),
      releaseYear: Number(values.releaseYear),
      description: values.description.trim(),
      imageUrl: values.imageUrl.trim() || null,
    };
  }

  private async save(): Promise<void> {
    if (this.busy) return;
    this.clearErrors();
    const values = this.values();
    const errors = validateGame(values);
    if (errors.length) {
      this.showErrors(errors);
      return;
    }
    this.busy = true;
    this.submit.setAttribute('aria-busy', 'true');
    this.submit.disabled = true;
    const editing = this.editing;
    try {
      const input = this.input(values);
      const game = editing
        ? (await api.updateGame(editing.game.id, input, editing.etag)).game
        : await api.createGame(input);
      this.dialog.close('saved');
      this.onSaved({ game, created: !editing });
    } catch (error) {
      if (editing && error instanceof ApiError && error.status === 412) {
        await this.conflict.show(editing.game);
      } else {
        this.showApiError(error);
      }
    } finally {
      this.busy = false;
      this.submit.removeAttribute('aria-busy');
      this.submit.disabled = false;
    }
  }

  private showApiError(error: unknown): void {
    if (!(error instanceof ApiError)) {
      this.showFormError('Something went wrong. Please try again.');
      return;
    }
    const known = error.details.filter((d) => FIELDS.includes(d.field as FieldName));
    const other = error.details.filter((d) => !FIELDS.includes(d.field as FieldName));
    if (known.length) {
      this.showErrors(
        known.map((d) => ({ field: d.field, message: sentence(d.field as FieldName, d.message) })),
      );
    }
    if (error.status === 404 && this.editing) {
      this.showFormError('This game no longer exists: someone deleted it.');
    } else if (!known.length || other.length) {
      const extra = other.map((d) => `${d.field ? `${d.field}: ` : ''}${d.message}`).join('; ');
      this.showFormError(extra ? `${error.message}: ${extra}` : error.message);
    }
  }

  private showErrors(errors: FieldError[]): void {
    for (const error of errors) this.setFieldError(error.field as FieldName, error.message);
    const first = errors[0];
    if (first) this.control(first.field as FieldName).focus();
  }

  private setFieldError(field: FieldName, message: string | undefined): void {
    const slot = this.form.querySelector<HTMLElement>(`[data-error-for="${field}"]`);
    if (slot) slot.textContent = message ?? '';
    if (message) this.control(field).setAttribute('aria-invalid', 'true');
    else this.control(field).removeAttribute('aria-invalid');
  }

  private showFormError(message: string): void {
    this.formError.textContent = message;
    this.formError.hidden = false;
  }

  private clearErrors(): void {
    for (const field of FIELDS) this.setFieldError(field, undefined);
    this.formError.textContent = '';
    this.formError.hidden = true;
    this.conflict.clear();
  }

  private updateCounter(): void {
    const length = this.control('description').value.trim().length;
    this.counter.textContent = `${length} / ${LIMITS.description} characters`;
    this.counter.classList.toggle('over', length > LIMITS.description);
  }
}
