import { byId, h } from '../../lib/dom.js';
import type { QuarantinedMessage } from './api.js';

/** The newest ones are shown: the quarantine should stay near empty, and the API pages the rest. */
export const QUARANTINE_SHOWN = 10;
const PREVIEW = 120;
const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** Parked messages the archive refused, with the database's reason: read-only, nothing to act on. */
export class QuarantineTable {
  private readonly rows = byId('dl-quarantine');
  private readonly summary = byId('dl-quarantine-summary');

  render({ items, total }: { items: QuarantinedMessage[]; total: number }): void {
    this.rows.replaceChildren(...items.map((q) => this.row(q)));
    this.summary.textContent =
      total === 0
        ? 'Nothing quarantined: the archive stored every parked message.'
        : `${total} quarantined message${total === 1 ? '' : 's'}` +
          (total > items.length ? `; the newest ${items.length} shown.` : '.');
  }

  private row(q: QuarantinedMessage): HTMLTableRowElement {
    const preview =
      q.bodyEncoding === 'utf8'
        ? q.body.slice(0, PREVIEW) + (q.body.length > PREVIEW ? '…' : '')
        : `${q.bodyBytes} bytes, not UTF-8`;
    return h(
      'tr',
      { 'data-quarantine-id': q.id },
      h('td', {}, time(q.quarantinedAt)),
      h('td', {}, q.messageId ? h('code', {}, q.messageId) : 'none'),
      h('td', {}, h('span', { class: 'reason' }, q.reason)),
      h('td', {}, h('code', {}, preview)),
    );
  }
}
