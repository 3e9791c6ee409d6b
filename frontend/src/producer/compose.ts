import { ApiError, type BulkJob, type MessageKind, type Template, api } from './api.js';
import { byId, h, setStatus } from '../lib/dom.js';
import { buildRequest, checkBody, parseHeaders, parseJson, splitTemplate } from './payload.js';

/** One line of the session history. */
export interface HistoryEntry {
  at: string;
  kind: MessageKind;
  label: string;
  ok: boolean;
  /** Message id, or the bulk job id; the error text when the publish failed. */
  detail: string;
  count: number;
}

const KIND_HINTS: Record<MessageKind, string> = {
  custom:
    'Body: {"message": ..., "simulate"?: "transient" | "permanent", ...}. Published as {type: "custom", ...}.',
  'game-event':
    'Body: {"gameId", "action", "gameData"}. The producer adds eventId (= message id) and timestamp.',
  raw: 'Body: exactly the message body that is published. Ids and headers are up to you.',
};

const BULK_POLL_MS = 300;

/** The publish form: template picker, validated editor, headers, count, result and progress. */
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
  private readonly result = byId('result');
  private readonly bulk = byId('bulk');
  private readonly bulkProgress = byId<HTMLProgressElement>('bulk-progress');
  private readonly bulkText = byId('bulk-text');
  private templates: Template[] = [];

  constructor(
    private readonly onPublished: (entry: HistoryEntry) => void,
    private readonly onBrokerState: (up: boolean) => void,
  ) {
    this.template.addEventListener('change', () => this.applyTemplate());
    this.kind.addEventListener('change', () => this.validate());
    this.editor.addEventListener('input', () => this.validate());
    this.sendText.addEventListener('change', () => this.validate());
    this.headers.addEventListener('input', () => this.validate());
    this.count.addEventListener('input', () => this.validate());
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

  private currentKind(): MessageKind {
    return this.kind.value as MessageKind;
  }

  /** Checks every field; returns the request to send, or null (and says why) if one is wrong. */
  private validate(): {
    kind: MessageKind;
    request: Record<string, unknown>;
    count: number;
  } | null {
    const kind = this.currentKind();
    this.kindHint.textContent = KIND_HINTS[kind];
    this.sendText.disabled = kind !== 'raw';
    if (kind !== 'raw') this.sendText.checked = false;

    let body: unknown;
    let bodyError: string | null = null;
    if (this.sendText.checked) {
      body = this.editor.value;
      if (body === '') bodyError = 'Empty: type the text to send';
    } else {
      const parsed = parseJson(this.editor.value);
      if (parsed.ok) bodyError = checkBody(kind, parsed.value);
      else bodyError = parsed.error;
      body = parsed.ok ? parsed.value : undefined;
    }
    this.editor.setAttribute('aria-invalid', String(bodyError !== null));
    const okText = this.sendText.checked ? 'Text will be sent as-is' : '✓ Valid JSON';
    setStatus(this.editorStatus, bodyError ?? okText, bodyError ? 'bad' : 'ok');

    const headers = parseHeaders(this.headers.value);
    this.headers.setAttribute('aria-invalid', String(!headers.ok));
    setStatus(this.headersStatus, headers.ok ? '' : headers.error, headers.ok ? '' : 'bad');

    const count = Number(this.count.value);
    const countOk = Number.isInteger(count) && count >= 1 && count <= 10_000;
    this.count.setAttribute('aria-invalid', String(!countOk));

    if (bodyError !== null || !headers.ok || !countOk) return null;
    const request = buildRequest(kind, body, headers.value as Record<string, unknown>);
    return { kind, request, count };
  }

  private async publish(): Promise<void> {
    if (this.button.disabled) return;
    const ready = this.validate();
    if (!ready) {
      this.showError('Fix the highlighted fields first.');
      const invalid = this.form.querySelector<HTMLElement>('[aria-invalid="true"]');
      invalid?.focus();
      return;
    }
    const label = this.templates.find((t) => t.id === this.template.value)?.name ?? ready.kind;
    this.button.disabled = true;
    this.setResult('', 'Publishing… waiting for the broker to confirm');
    try {
      if (ready.count === 1) await this.publishOne(ready.kind, ready.request, label);
      else await this.publishMany(ready.kind, ready.request, ready.count, label);
    } catch (error) {
      const message = describe(error);
      this.showError(message, error instanceof ApiError ? error.details : []);
      if (error instanceof ApiError) this.showHeaderRefusals(error.details);
      this.record(ready.kind, label, false, message, ready.count);
    } finally {
      this.button.disabled = false;
    }
  }

  private async publishOne(kind: MessageKind, request: unknown, label: string): Promise<void> {
    const result = await api.publish(kind, request);
    this.onBrokerState(true);
    this.setResult(
      'ok',
      'Confirmed by the broker · message id ',
      h('code', { 'data-message-id': '' }, result.messageId),
      ` → ${result.queue}`,
    );
    this.record(kind, label, true, result.messageId, 1);
  }

  private async publishMany(kind: MessageKind, request: unknown, count: number, label: string) {
    let job = await api.bulk(kind, count, request);
    this.setResult('', 'Bulk job ', h('code', {}, job.jobId), ' started');
    this.bulk.hidden = false;
    this.bulkProgress.max = count;
    while (job.status === 'running') {
      this.showProgress(job);
      await new Promise((resolve) => setTimeout(resolve, BULK_POLL_MS));
      job = await api.bulkJob(job.jobId);
    }
    this.showProgress(job);
    const ok = job.status === 'completed';
    const summary = `${job.confirmed} of ${job.count} confirmed`;
    if (ok) this.setResult('ok', `Bulk job done: ${summary} · job `, h('code', {}, job.jobId));
    else this.showError(`Bulk job ${job.status}: ${summary}. ${job.error ?? ''}`);
    this.record(kind, label, ok, `job ${job.jobId}: ${summary}`, count);
  }

  private showProgress(job: BulkJob): void {
    this.bulkProgress.value = job.confirmed;
    this.bulkText.textContent = `${job.confirmed} / ${job.count} confirmed · ${job.sent} sent · ${job.failed} failed · ${job.status}`;
  }

  private record(kind: MessageKind, label: string, ok: boolean, detail: string, count: number) {
    this.onPublished({ at: new Date().toISOString(), kind, label, ok, detail, count });
  }

  private setResult(tone: 'ok' | 'bad' | '', ...parts: (Node | string)[]): void {
    this.result.replaceChildren(...parts);
    this.result.className = `result ${tone}`;
  }

  /**
   * The API alone judges header names (it knows what the broker reserves as well):
   * its refusal is shown by the headers field until the tester edits it.
   */
  private showHeaderRefusals(details: { field: string; message: string }[]): void {
    const refused = details.filter((d) => /^(payload\.)?headers\./.test(d.field));
    if (refused.length === 0) return;
    this.headers.setAttribute('aria-invalid', 'true');
    setStatus(this.headersStatus, refused.map((d) => d.message).join(' '), 'bad');
  }

  private showError(message: string, details: { field: string; message: string }[] = []): void {
    const list = details.length
      ? h('ul', {}, ...details.map((d) => h('li', {}, `${d.field}: ${d.message}`)))
      : '';
    this.setResult('bad', message, list);
  }
}

export function describe(error: unknown): string {
  // a 503 is not always the broker (the backend checks chosen ids): the queue monitor, which asks
  // the broker itself, owns the broker badge
  if (error instanceof ApiError && error.unavailable) {
    return `Nothing was published: ${error.message}. Try again in a moment.`;
  }
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
