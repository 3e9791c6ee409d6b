import { byId } from '../lib/dom.js';
import { type BulkJob, api } from './api.js';

const BULK_POLL_MS = 300;

/** Follows a bulk job to its end: its progress bar and counts. */
export class BulkProgress {
  private readonly box = byId('bulk');
  private readonly bar = byId<HTMLProgressElement>('bulk-progress');
  private readonly text = byId('bulk-text');

  /** Polls the job until it is no longer running; answers its last state. */
  async follow(job: BulkJob): Promise<BulkJob> {
    this.box.hidden = false;
    this.bar.max = job.count;
    let current = job;
    while (current.status === 'running') {
      this.show(current);
      await new Promise((resolve) => setTimeout(resolve, BULK_POLL_MS));
      current = await api.bulkJob(current.jobId);
    }
    this.show(current);
    return current;
  }

  private show(job: BulkJob): void {
    this.bar.value = job.confirmed;
    this.text.textContent = `${job.confirmed} / ${job.count} confirmed · ${job.sent} sent · ${job.failed} failed · ${job.status}`;
  }
}
