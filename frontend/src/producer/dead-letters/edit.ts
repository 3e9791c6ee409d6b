import { ApiError } from '../api.js';
import { byId, setStatus } from '../../lib/dom.js';
import { type DeadLetter, deadLetters } from './api.js';
import { pretty } from './detail.js';

/**
 * The edit dialog: the parked body in an editor that checks it is JSON as you type; sending it
 * replays a corrected copy under a new message id. A native <dialog>: focus stays inside while it
 * is open, Escape closes it, and focus returns to the button that opened it.
 */
export class EditDialog {
  private readonly dialog = byId<HTMLDialogElement>('dl-edit');
  private readonly form = byId<HTMLFormElement>('dl-edit-form');
  private readonly title = byId('dl-edit-title');
  private readonly editor = byId<HTMLTextAreaElement>('dl-edit-body');
  private readonly status = byId('dl-edit-status');
  private readonly send = byId<HTMLButtonElement>('dl-edit-send');
  private readonly result = byId('dl-edit-result');
  private row: DeadLetter | undefined;

  constructor(private readonly onReplayed: (row: DeadLetter, messageId: string) => void) {
    this.editor.addEventListener('input', () => this.check());
    byId('dl-edit-cancel').addEventListener('click', () => this.dialog.close());
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.submit();
      }
    });
  }

  open(row: DeadLetter): void {
    this.row = row;
    this.title.textContent = `Edit and replay dead letter ${row.id}`;
    this.editor.value = row.bodyEncoding === 'utf8' ? pretty(row.body) : '';
    setStatus(this.result, '');
    this.check();
    this.dialog.showModal();
    this.editor.focus();
  }

  /** True when the editor holds JSON; says why not otherwise, as the API would. */
  private check(): boolean {
    try {
      JSON.parse(this.editor.value);
      setStatus(this.status, 'Valid JSON', 'ok');
      this.editor.removeAttribute('aria-invalid');
      this.send.disabled = false;
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'not JSON';
      setStatus(this.status, `Not valid JSON: ${reason}`, 'bad');
      this.editor.setAttribute('aria-invalid', 'true');
      this.send.disabled = true;
      return false;
    }
  }

  private async submit(): Promise<void> {
    const row = this.row;
    if (!row || !this.check()) return;
    this.send.disabled = true;
    setStatus(this.result, 'Replaying…');
    try {
      const { messageId } = await deadLetters.editAndReplay(row.id, this.editor.value);
      this.dialog.close();
      this.onReplayed(row, messageId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const detail =
        error instanceof ApiError && error.details.length
          ? `: ${error.details.map((d) => `${d.field} ${d.message}`).join('; ')}`
          : '';
      setStatus(this.result, `Not replayed. ${message}${detail}`, 'bad');
      this.send.disabled = false;
    }
  }
}
