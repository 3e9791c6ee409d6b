import { byId } from '../../lib/dom.js';
import { session } from '../../lib/session.js';
import { type ReplayJob, deadLetters } from './api.js';

const POLL_MS = 300;

/** Follows a replay job to its end: progress bar, counts and rate, and a cancel button. */
export class JobProgress {
  private readonly box = byId('dl-job');
  private readonly bar = byId<HTMLProgressElement>('dl-job-progress');
  private readonly text = byId('dl-job-text');
  private readonly cancel = byId<HTMLButtonElement>('dl-job-cancel');
  private jobId: string | undefined;

  constructor(private readonly onEnded: (job: ReplayJob) => void) {
    this.cancel.addEventListener('click', () => {
      if (this.jobId) void deadLetters.cancel(this.jobId);
    });
  }

  get running(): boolean {
    return this.jobId !== undefined;
  }

  /** Cancel is an operator's, and only while a replay runs. */
  showCancel(): void {
    this.cancel.hidden = !(this.running && session.can('operator'));
  }

  async follow(job: ReplayJob): Promise<void> {
    this.jobId = job.jobId;
    this.box.hidden = false;
    this.showCancel();
    let current = job;
    this.show(current);
    while (current.status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      try {
        current = await deadLetters.job(job.jobId);
      } catch {
        continue; // a missed poll: the next one will tell
      }
      this.show(current);
    }
    this.jobId = undefined;
    this.showCancel();
    this.onEnded(current);
  }

  private show(job: ReplayJob): void {
    this.bar.max = Math.max(job.total, 1);
    this.bar.value = job.replayed;
    const counts = `${job.replayed} of ${job.total} replayed at up to ${job.rate}/s`;
    const extra = [
      job.failed ? `${job.failed} failed` : '',
      job.skipped ? `${job.skipped} taken by another action` : '',
      job.error ?? '',
    ].filter(Boolean);
    const state =
      job.status === 'running'
        ? 'Replaying'
        : job.status === 'completed'
          ? 'Replay done'
          : job.status === 'cancelled'
            ? 'Replay cancelled'
            : 'Replay failed';
    this.text.textContent = `${state}: ${counts}${extra.length ? `; ${extra.join('; ')}` : ''}.`;
  }
}
