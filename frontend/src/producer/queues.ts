import { ApiError, type QueueStats, api } from './api.js';
import { byId, h } from '../lib/dom.js';
import { session } from '../lib/session.js';

const POLL_MS = 2_000;
const ROLE_LABELS: Record<QueueStats['role'], string> = {
  main: 'main',
  retry: 'waiting to retry',
  dlq: 'parked',
};

/** Polls the queue depths; tells the page whether the broker is up and when the DLQ changed. */
export class QueueMonitor {
  private readonly rows = byId('queue-rows');
  private readonly error = byId('queues-error');
  /** DLQ depth at the last poll; null while the broker is unreachable. */
  private lastDlqCount: number | null | undefined;
  /** Whether the operator opened the retry tiers' row. */
  private tiersOpen = false;
  /** The queue names drawn, in order: the table is rebuilt only when they change. */
  private layout = '';

  constructor(
    private readonly onBrokerState: (up: boolean, why?: string) => void,
    private readonly onDlqChanged: () => void,
  ) {}

  /**
   * Polls while a tester or above is signed in (the queue stats are theirs), and at once when
   * such a session becomes known (at load, after a sign-in), not a poll interval later.
   */
  start(): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let polling = false;
    const tick = async () => {
      if (polling) return; // the poll under way schedules the next
      clearTimeout(timer);
      polling = true;
      try {
        if (session.can('tester')) await this.refresh();
      } finally {
        polling = false;
      }
      timer = setTimeout(() => void tick(), POLL_MS);
    };
    session.onChange(() => void tick());
    void tick();
  }

  private updateNumbers(queues: QueueStats[], tiers: QueueStats[]): void {
    const write = (row: Element | undefined, messages: number, consumers: number) => {
      const [count, readers] = row?.querySelectorAll('td') ?? [];
      if (count) count.textContent = String(messages);
      if (readers) readers.textContent = String(consumers);
    };
    const rows = [...this.rows.querySelectorAll('tr[data-queue]')];
    for (const q of queues) {
      write(
        rows.find((row) => row.getAttribute('data-queue') === q.name),
        q.messageCount,
        q.consumerCount,
      );
    }
    write(
      this.rows.querySelector('tr[data-role="retry-tiers"]') ?? undefined,
      tiers.reduce((sum, q) => sum + q.messageCount, 0),
      tiers.reduce((sum, q) => sum + q.consumerCount, 0),
    );
  }

  private row(q: QueueStats, hidden = false): HTMLTableRowElement {
    return h(
      'tr',
      { 'data-role': q.role, 'data-queue': q.name, hidden },
      h('th', { scope: 'row' }, h('code', {}, q.name), ` (${ROLE_LABELS[q.role]})`),
      h('td', { class: 'num' }, q.messageCount),
      h('td', { class: 'num' }, q.consumerCount),
    );
  }

  /**
   * The retry tiers (a dozen queues or more) as one row with their totals; its button shows or
   * hides a row per tier, and the choice outlives the 2 s redraws.
   */
  private tierRows(tiers: QueueStats[]): HTMLTableRowElement[] {
    if (tiers.length === 0) return [];
    const total = (pick: (q: QueueStats) => number) => tiers.reduce((sum, q) => sum + pick(q), 0);
    const toggle = h(
      'button',
      {
        type: 'button',
        class: 'tier-toggle',
        'aria-expanded': String(this.tiersOpen),
        'aria-controls': tiers.map((_, i) => `retry-tier-${i}`).join(' '),
        onclick: () => {
          this.tiersOpen = !this.tiersOpen;
          toggle.setAttribute('aria-expanded', String(this.tiersOpen));
          for (const row of this.rows.querySelectorAll<HTMLElement>('tr[data-role="retry"]')) {
            row.hidden = !this.tiersOpen;
          }
        },
      },
      `Retry tiers (${tiers.length} queues)`,
    );
    const summary = h(
      'tr',
      { 'data-role': 'retry-tiers' },
      h('th', { scope: 'row' }, toggle, ' (waiting to retry)'),
      h(
        'td',
        { class: 'num' },
        total((q) => q.messageCount),
      ),
      h(
        'td',
        { class: 'num' },
        total((q) => q.consumerCount),
      ),
    );
    const rows = tiers.map((q, i) => {
      const row = this.row(q, !this.tiersOpen);
      row.id = `retry-tier-${i}`;
      row.classList.add('tier');
      return row;
    });
    return [summary, ...rows];
  }

  private async refresh(): Promise<void> {
    try {
      const { queues } = await api.queues();
      this.error.hidden = true;
      this.onBrokerState(true);
      const tiers = queues.filter((q) => q.role === 'retry');
      const layout = queues.map((q) => q.name).join(' ');
      // same queues as the last poll: numbers only, so the tiers' button keeps the focus
      if (layout === this.layout) this.updateNumbers(queues, tiers);
      else
        this.rows.replaceChildren(
          ...queues.filter((q) => q.role === 'main').map((q) => this.row(q)),
          ...this.tierRows(tiers),
          ...queues.filter((q) => q.role === 'dlq').map((q) => this.row(q)),
        );
      this.layout = layout;
      const dlq = queues.find((q) => q.role === 'dlq')?.messageCount;
      if (dlq !== this.lastDlqCount) {
        this.lastDlqCount = dlq;
        this.onDlqChanged();
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.onBrokerState(
        false,
        error instanceof ApiError && error.code === 'NETWORK' ? message : undefined,
      );
      this.error.hidden = false;
      this.error.textContent = `Queue depths unavailable: ${message}`;
      if (this.lastDlqCount !== null) {
        this.lastDlqCount = null;
        this.onDlqChanged(); // once per outage, so the parked list says it is unavailable too
      }
    }
  }
}
