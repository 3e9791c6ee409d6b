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

  private async refresh(): Promise<void> {
    try {
      const { queues } = await api.queues();
      this.error.hidden = true;
      this.onBrokerState(true);
      this.rows.replaceChildren(
        ...queues.map((q) =>
          h(
            'tr',
            { 'data-role': q.role },
            h('th', { scope: 'row' }, h('code', {}, q.name), ` (${ROLE_LABELS[q.role]})`),
            h('td', { class: 'num' }, q.messageCount),
            h('td', { class: 'num' }, q.consumerCount),
          ),
        ),
      );
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
