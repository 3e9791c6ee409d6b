import { byId, h } from '../../lib/dom.js';
import { type DeadLetter, deadLetters } from './api.js';

export interface DetailActions {
  replay: (row: DeadLetter) => void;
  edit: (row: DeadLetter) => void;
  delete: (row: DeadLetter) => void;
}

/** One archived message in full: why and when it was parked, its body, headers and properties. */
export class DeadLetterDetail {
  private readonly section = byId('dl-detail');
  private readonly title = byId('dl-detail-title');
  private readonly meta = byId('dl-detail-meta');
  private readonly body = byId('dl-detail-body');
  private readonly bodyLabel = byId('dl-detail-body-label');
  private readonly headers = byId('dl-detail-headers');
  private readonly properties = byId('dl-detail-properties');
  private current: DeadLetter | undefined;
  /** The control that opened the detail: focus goes back there when it closes. */
  private opener: HTMLElement | null = null;

  constructor(
    actions: DetailActions,
    private readonly onError: (error: unknown) => void,
  ) {
    const on = (id: string, act: (row: DeadLetter) => void) =>
      byId(id).addEventListener('click', () => this.current && act(this.current));
    on('dl-detail-replay', actions.replay);
    on('dl-detail-edit', actions.edit);
    on('dl-detail-delete', actions.delete);
    byId('dl-detail-close').addEventListener('click', () => this.close());
    this.section.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') this.close();
    });
  }

  get shown(): DeadLetter | undefined {
    return this.current;
  }

  async open(id: number): Promise<void> {
    this.opener = document.activeElement as HTMLElement | null;
    try {
      this.draw(await deadLetters.get(id));
      this.section.hidden = false;
      this.title.focus();
    } catch (error) {
      this.onError(error);
    }
  }

  /** Reads the shown message again (after a replay or an edit marked it). */
  async refresh(): Promise<void> {
    if (!this.current) return;
    try {
      this.draw(await deadLetters.get(this.current.id));
    } catch {
      this.close(); // deleted meanwhile
    }
  }

  close(): void {
    if (this.section.hidden) return;
    this.section.hidden = true;
    this.current = undefined;
    if (this.opener?.isConnected) this.opener.focus();
  }

  private draw(row: DeadLetter): void {
    this.current = row;
    this.title.textContent = `Dead letter ${row.id}`;
    const pairs: [string, string][] = [
      ['message id', row.messageId ?? '(none)'],
      ['reason', row.reason ?? '(no x-error header)'],
      ['group', `${row.fingerprint ?? ''} (${row.groupId})`],
      ['parked at', row.parkedAt],
      ['archived at', row.archivedAt],
      ['retries', String(row.retryCount)],
      ['type', row.gameId === null ? row.type : `${row.type}, game ${row.gameId}`],
      [
        'replayed',
        row.replayedAt
          ? `${row.replayedAt} as ${row.replayedAs ?? '?'} (${row.replayCount}×)`
          : 'not yet',
      ],
    ];
    this.meta.replaceChildren(...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
    this.bodyLabel.textContent =
      row.bodyEncoding === 'base64'
        ? `Body (${row.bodyBytes} bytes, not UTF-8: shown as base64)`
        : `Body (${row.bodyBytes} bytes${row.bodyIsJson ? ', JSON' : ', not JSON'})`;
    this.body.textContent = row.bodyIsJson ? pretty(row.body) : row.body;
    this.headers.textContent = JSON.stringify(row.headers, null, 2);
    this.properties.textContent = JSON.stringify(row.properties, null, 2);
  }
}

export function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
