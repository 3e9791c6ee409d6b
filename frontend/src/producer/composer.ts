import { byId, h, setStatus } from '../lib/dom.js';
import { ApiError, type MessageKind, type Template, api } from './api.js';
import { BulkProgress } from './bulk-progress.js';
import type { HistoryEntry } from './history.js';
import { type ComposerCheck, checkComposer, splitTemplate } from './payload.js';
import { PublishResult, describe } from './publish-result.js';

const KIND_HINTS: Record<MessageKind, string> = {
  custom:
    'Body: {"message": ..., "simulate"?: "transient" | "permanent", ...}. Published as {type: "custom", ...}.',
  'game-event':
    'Body: {"gameId", "action", "gameData"}. The producer adds eventId (= message id) and timestamp.',
  raw: 'Body: exactly the message body that is published. Ids and headers are up to you.',
};

/**
 * The publish form: template picker, an editor checked as the tester types (payload.ts), headers
 * and count; publishing one message or following a bulk job (bulk-progress.ts) to its result.
 */
export class Composer {
  private readonly form = byId<HTMLFormElement>('publish-form');
  private readonly template = byId<HTMLSelectElement>('template');
  private readonly expect = byId('template-expect');
  private readonly kind = byId<HTMLSelectElement>('kind');
  private readonly kindHint = byId('kind-hint');
  private readonly editor = byId<HTMLTextAreaElement>('editor');
  private readonly editorStatus = byId('editor-status');
  private readonly sendText = byId<HTMLInputElement>('send-text');
  private readonly headers = byId<HTMLInputElement>('headers');
  private readonly headersStatus = byId('headers-status');
  private readonly count = byId<HTMLInputElement>('count');
  private readonly button = byId<HTMLButtonElement>('publish');
  private readonly result = new PublishResult();
  private readonly bulk = new BulkProgress();
  private templates: Template[] = [];

  constructor(
    private readonly onPublished: (entry: HistoryEntry) => void,
    private readonly onBrokerState: (up: boolean) => void,
  ) {
    this.template.addEventListener('change', () => this.applyTemplate());
    for (const field of [this.kind, this.sendText]) {
      field.addEventListener('change', () => this.validate());
    }
    for (const field of [this.editor, this.headers, this.count]) {
      field.addEventListener('input', () => this.validate());
    }
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.publish();
    });
    this.form.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void this.publish();
      }
    });
    // Tab in the editor indents; Escape then Tab leaves it, so keyboard users are never trapped
    let escaped = false;
    this.editor.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') escaped = true;
      else if (event.key === 'Tab' && !event.shiftKey && !escaped) {
        event.preventDefault();
        this.editor.setRangeText('  ', this.editor.selectionStart, this.editor.selectionEnd, 'end');
        this.validate();
      } else escaped = false;
    });
  }

  showTemplates(templates: Template[]): void {
    this.templates = templates;
    const groups = new Map<string, HTMLOptGroupElement>();
    for (const t of templates) {
      let group = groups.get(t.group);
      if (!group) {
        group = h('optgroup');
        group.label = t.group;
        groups.set(t.group, group);
        this.template.append(group);
      }
      group.append(h('option', { value: t.id }, t.name));
    }
    const custom = templates.find((t) => t.id === 'custom');
    if (custom) this.template.value = custom.id;
    this.applyTemplate();
  }

  private applyTemplate(): void {
    const t = this.templates.find((x) => x.id === this.template.value);
    if (!t) return;
    const { editor, headers } = splitTemplate(t.kind, t.payload);
    this.kind.value = t.kind;
    this.sendText.checked = t.kind === 'raw' && typeof editor === 'string';
    this.editor.value = typeof editor === 'string' ? editor : JSON.stringify(editor, null, 2);
    this.headers.value = headers ? JSON.stringify(headers) : '';
    this.expect.textContent = `Expected: ${t.expect}`;
    this.validate();
  }

  /** Checks every field and shows what is wrong; the request to send when nothing is. */
  private validate(): ComposerCheck['ready'] {
    const kind = this.kind.value as MessageKind;
    this.kindHint.textContent = KIND_HINTS[kind];
    this.sendText.disabled = kind !== 'raw';
    if (kind !== 'raw') this.sendText.checked = false;
    const check = checkComposer({
      kind,
      editor: this.editor.value,
      sendText: this.sendText.checked,
      headers: this.headers.value,
      count: this.count.value,
    });
    const { bodyError, headersError } = check;
    this.editor.setAttribute('aria-invalid', String(bodyError !== null));
    const okText = this.sendText.checked ? 'Text will be sent as-is' : '✓ Valid JSON';
    setStatus(this.editorStatus, bodyError ?? okText, bodyError ? 'bad' : 'ok');
    this.headers.setAttribute('aria-invalid', String(headersError !== null));
    setStatus(this.headersStatus, headersError ?? '', headersError ? 'bad' : '');
    this.count.setAttribute('aria-invalid', String(!check.countOk));
    return check.ready;
  }

  private async publish(): Promise<void> {
    if (this.button.disabled) return;
    const ready = this.validate();
    if (!ready) {
      this.result.error('Fix the highlighted fields first.');
      this.form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const label = this.templates.find((t) => t.id === this.template.value)?.name ?? ready.kind;
    this.button.disabled = true;
    this.result.show('', 'Publishing… waiting for the broker to confirm');
    try {
      if (ready.count === 1) await this.publishOne(ready.kind, ready.request, label);
      else await this.publishMany(ready.kind, ready.request, ready.count, label);
    } catch (error) {
      const message = describe(error);
      this.result.error(message, error instanceof ApiError ? error.details : []);
      if (error instanceof ApiError) this.showHeaderRefusals(error.details);
      this.record(ready.kind, label, false, message, ready.count);
    } finally {
      this.button.disabled = false;
    }
  }

  private async publishOne(kind: MessageKind, request: unknown, label: string): Promise<void> {
    const result = await api.publish(kind, request);
    this.onBrokerState(true);
    this.result.show(
      'ok',
      'Confirmed by the broker · message id ',
      h('code', { 'data-message-id': '' }, result.messageId),
      ` → ${result.queue}`,
    );
    this.record(kind, label, true, result.messageId, 1);
  }

  private async publishMany(kind: MessageKind, request: unknown, count: number, label: string) {
    const started = await api.bulk(kind, count, request);
    this.result.show('', 'Bulk job ', h('code', {}, started.jobId), ' started');
    const job = await this.bulk.follow(started);
    const ok = job.status === 'completed';
    const summary = `${job.confirmed} of ${job.count} confirmed`;
    if (ok) this.result.show('ok', `Bulk job done: ${summary} · job `, h('code', {}, job.jobId));
    else this.result.error(`Bulk job ${job.status}: ${summary}. ${job.error ?? ''}`);
    this.record(kind, label, ok, `job ${job.jobId}: ${summary}`, count);
  }

  private record(kind: MessageKind, label: string, ok: boolean, detail: string, count: number) {
    this.onPublished({ at: new Date().toISOString(), kind, label, ok, detail, count });
  }

  /**
   * The API alone judges header names (it knows what the broker reserves as well): its refusal is
   * shown by the headers field until the tester edits it.
   */
  private showHeaderRefusals(details: { field: string; message: string }[]): void {
    const refused = details.filter((d) => /^(payload\.)?headers\./.test(d.field));
    if (refused.length === 0) return;
    this.headers.setAttribute('aria-invalid', 'true');
    setStatus(this.headersStatus, refused.map((d) => d.message).join(' '), 'bad');
  }
}
