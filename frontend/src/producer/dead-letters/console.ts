import { ApiError } from '../api.js';
import { confirmAction, count } from '../../lib/confirm.js';
import { byId, h, setStatus } from '../../lib/dom.js';
import { session } from '../../lib/session.js';
import { type DeadLetter, type ReplayJob, type Target, deadLetters } from './api.js';
import { DeadLetterDetail } from './detail.js';
import { EditDialog } from './edit.js';
import { FilterForm } from './filters.js';
import { GroupTable } from './groups.js';
import { JobProgress } from './job.js';
import { DeadLetterList } from './list.js';
import { QUARANTINE_SHOWN, QuarantineTable } from './quarantine.js';

const MAX_IDS = 1000;
/** The archiver empties the DLQ within moments, so its depth rarely shows a change: poll too. */
const REFRESH_MS = 3_000;

/**
 * The dead-letter console: groups, filtered list, detail, bulk actions and replay progress over
 * the archive. What was replayed is reported to `onReplayed` (the session history).
 */
export class DeadLetterConsole {
  private readonly error = byId('dl-error');
  private readonly result = byId('dl-result');
  private readonly rate = byId<HTMLInputElement>('dl-rate');
  private readonly exportLink = byId<HTMLAnchorElement>('dl-export');
  private readonly audit = byId('dl-audit');
  private readonly filters = new FilterForm(() => void this.applyFilter());
  private readonly groups = new GroupTable({
    show: (groupId) => {
      this.filters.pickGroup(groupId);
      void this.applyFilter().then(() => byId('dl-list-title').focus());
    },
    replay: (g) =>
      void this.replay(
        { group: g.groupId },
        `the ${count(g.count, 'message')} of group ${g.groupId}`,
        {
          count: g.count,
        },
      ),
  });
  private readonly list = new DeadLetterList(
    (id) => void this.detail.open(id),
    (error) => this.showError(error),
  );
  private readonly detail = new DeadLetterDetail(
    {
      replay: (row) =>
        void this.replay({ ids: [row.id] }, `dead letter ${row.id}`, { includeReplayed: true }),
      edit: (row) => this.edit.open(row),
      delete: (row) => void this.delete({ ids: [row.id] }, `dead letter ${row.id}`, 1),
    },
    (error) => this.showError(error),
  );
  private readonly edit = new EditDialog((row, messageId) => void this.edited(row, messageId));
  private readonly job = new JobProgress((job) => void this.jobEnded(job));
  private readonly quarantine = new QuarantineTable();

  constructor(private readonly onReplayed: (label: string, detail: string, count: number) => void) {
    const selection = (): Target | undefined => {
      const ids = [...this.list.selected];
      if (ids.length === 0) setStatus(this.result, 'Select messages first.', 'bad');
      else if (ids.length > MAX_IDS) {
        setStatus(this.result, `Select at most ${MAX_IDS}; use "all matching" for more.`, 'bad');
      } else return { ids };
      return undefined;
    };
    byId('dl-replay-selected').addEventListener('click', () => {
      const target = selection();
      if (target)
        void this.replay(target, `${this.list.selected.size} selected messages`, {
          includeReplayed: true,
        });
    });
    byId('dl-delete-selected').addEventListener('click', () => {
      const target = selection();
      const n = this.list.selected.size;
      if (target) void this.delete(target, `the ${count(n, 'selected message')}`, n);
    });
    byId('dl-replay-matching').addEventListener('click', () => {
      const n = this.list.total;
      const what = `all ${count(n, 'matching message')}`;
      void this.replay({ filter: this.list.filter }, what, { count: n });
    });
    byId('dl-delete-matching').addEventListener('click', () => {
      // the API refuses an empty filter: with none set, "all matching" is said as "all"
      const filter = this.list.filter;
      const narrowed = Object.values(filter).some((value) => value !== undefined);
      const target: Target = narrowed ? { filter } : { all: true };
      const n = this.list.total;
      void this.delete(target, `all ${count(n, 'matching message')}`, n);
    });
  }

  /**
   * Reads the archive while a tester or above is signed in (the reads are theirs), and draws the
   * list again when the role changes: an operator's controls come and go with the operator.
   */
  start(): void {
    let started = false;
    session.onChange(() => {
      this.job.showCancel();
      byId('dl-table').classList.toggle('can-select', session.can('operator'));
      if (!session.can('tester')) return;
      if (!started) void this.applyFilter();
      else void this.refresh();
      started = true;
    });
    setInterval(() => {
      if (document.visibilityState === 'visible' && session.can('tester')) void this.refresh();
    }, REFRESH_MS);
  }

  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /**
   * Reads groups, the current page, the audit trail and the quarantine again (new parkings, another tab). A call
   * made while one runs waits for it and then reads once more, so what an action changed shows.
   */
  refresh(): Promise<void> {
    if (!this.running) {
      this.running = this.load().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.refresh();
    });
    return this.queued;
  }

  private async load(): Promise<void> {
    try {
      const groups = await deadLetters.groups();
      this.groups.render(groups);
      this.filters.showGroups(groups);
      await this.list.reload();
      this.filters.showRefusal([]);
      this.renderAudit(await deadLetters.audit(8));
      this.quarantine.render(await deadLetters.quarantined(QUARANTINE_SHOWN));
      this.error.hidden = true;
    } catch (error) {
      this.showError(error);
    }
  }

  private async applyFilter(): Promise<void> {
    const filter = this.filters.value;
    this.exportLink.href = deadLetters.exportUrl(filter);
    this.list.setFilter(filter);
    await this.refresh();
  }

  /**
   * Replays `target`. Many messages at once (a group, all matching) are confirmed first, naming
   * how many: they go back to the consumers and cannot be called back.
   */
  private async replay(
    target: Target,
    what: string,
    { includeReplayed = false, count: many }: { includeReplayed?: boolean; count?: number } = {},
  ): Promise<void> {
    if (this.job.running) {
      setStatus(this.result, 'A replay is still running; wait for it or cancel it.', 'bad');
      return;
    }
    if (
      many !== undefined &&
      !(await confirmAction({
        title: `Replay ${count(many, 'message')}?`,
        text: `${what[0]!.toUpperCase()}${what.slice(1)} will be published to the main queue again, at up to ${this.replayRate()} per second. Messages already replayed are left out.`,
        confirm: `Replay ${count(many, 'message')}`,
      }))
    ) {
      return;
    }
    setStatus(this.result, `Starting the replay of ${what}…`);
    try {
      const job = await deadLetters.replay(target, this.replayRate(), includeReplayed);
      setStatus(this.result, `Replaying ${what}.`, 'ok');
      await this.job.follow(job);
    } catch (error) {
      this.showError(error, 'Replay not started');
    }
  }

  /** Deletes `target` once confirmed; deleted ids can be restored from the result line. */
  private async delete(target: Target, what: string, n: number): Promise<void> {
    const confirmed = await confirmAction({
      title: `Delete ${count(n, 'message')}?`,
      text: `${what[0]!.toUpperCase()}${what.slice(1)} will leave the archive. An operator can restore them for a while; after that they are gone for good.`,
      confirm: `Delete ${count(n, 'message')}`,
    });
    if (!confirmed) return;
    try {
      const { deleted } = await deadLetters.delete(target);
      setStatus(this.result, `Deleted ${count(deleted, 'message')}.`, 'ok');
      if ('ids' in target && deleted > 0) this.offerRestore(target.ids);
      if ('ids' in target && this.detail.shown && target.ids.includes(this.detail.shown.id)) {
        this.detail.close();
      }
      this.list.clearSelection();
      await this.refresh();
    } catch (error) {
      this.showError(error, 'Delete failed');
    }
  }

  private offerRestore(ids: number[]): void {
    const restore = h('button', { type: 'button', id: 'dl-restore' }, 'Restore');
    restore.setAttribute('aria-label', `Restore the ${count(ids.length, 'deleted message')}`);
    restore.addEventListener('click', () => {
      restore.disabled = true;
      deadLetters
        .restore(ids)
        .then(({ restored }) => {
          setStatus(this.result, `Restored ${count(restored, 'message')}.`, 'ok');
          return this.refresh();
        })
        .catch((error: unknown) => this.showError(error, 'Restore failed'));
    });
    this.result.append(' ', restore);
  }

  private async edited(row: DeadLetter, messageId: string): Promise<void> {
    setStatus(this.result, `Replayed dead letter ${row.id} edited, as message ${messageId}.`, 'ok');
    this.onReplayed('Edited and replayed', messageId, 1);
    await this.detail.refresh();
    await this.refresh();
  }

  private async jobEnded(job: ReplayJob): Promise<void> {
    const tone = job.status === 'completed' ? 'ok' : 'bad';
    setStatus(this.result, `Replay ${job.status}: ${job.replayed} of ${job.total} sent.`, tone);
    if (job.replayed > 0) this.onReplayed('Replayed from the archive', job.jobId, job.replayed);
    this.list.clearSelection();
    await this.detail.refresh();
    await this.refresh();
  }

  private replayRate(): number {
    const rate = Number(this.rate.value);
    return Number.isInteger(rate) && rate >= 1 && rate <= 1000 ? rate : 100;
  }

  private renderAudit(entries: Awaited<ReturnType<typeof deadLetters.audit>>): void {
    this.audit.replaceChildren(
      ...entries.map((e) =>
        h(
          'li',
          {},
          `${e.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')} · ${e.action} · ${e.affected} ` +
            `message${e.affected === 1 ? '' : 's'} · ${e.actor ? `${e.actor}, ` : ''}${e.clientIp}`,
        ),
      ),
    );
  }

  private showError(error: unknown, what = 'Dead letters unavailable'): void {
    const message = error instanceof Error ? error.message : String(error);
    const refused =
      error instanceof ApiError && error.status === 400 && error.details.length
        ? `: ${this.filters.showRefusal(error.details)}`
        : '';
    this.error.hidden = false;
    this.error.textContent = `${what}: ${message}${refused}`;
  }
}
