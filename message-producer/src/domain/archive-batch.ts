import type { Logger } from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { type ArchiveOutcome, archiveBatch } from '../data-access/archive-writes.js';
import { isDataError } from '../data-access/db.js';
import { type RefusalReason, quarantine, refusalOf } from '../data-access/quarantine.js';
import type { ArchiveRecord } from './archived-message.js';

/** A record the archive refused, stored in the quarantine instead. */
export interface QuarantineOutcome {
  record: ArchiveRecord;
  reason: RefusalReason;
  /** False when it was quarantined before (a redelivery): nothing new was stored. */
  stored: boolean;
}

/** What the caller does as each part of a batch is committed (it acks the part's messages). */
export interface BatchSteps<T> {
  archived(part: T[], outcome: ArchiveOutcome): void;
  quarantined(item: T, outcome: QuarantineOutcome): void;
  /** True once the caller is stopping: the records not stored yet are left alone. */
  stopped(): boolean;
}

/**
 * Stores a batch of parked messages in the archive. A batch refused for its values (a reason
 * longer than its column, a header nested deeper than a JSON column takes) would be refused again
 * on every try and hold up all the messages parked after it: it is split in halves, each stored
 * (and split again) on its own, down to single records; one refused alone is quarantined with the
 * database's reason. Throws what is not about the values (the database away or busy); the parts
 * committed by then have been reported, the rest is the caller's to hold.
 */
export async function storeBatch<T extends { record: ArchiveRecord }>(
  pool: Pool,
  batch: T[],
  steps: BatchSteps<T>,
  logger: Logger,
): Promise<void> {
  const store = async (part: T[]): Promise<void> => {
    let outcome: ArchiveOutcome;
    try {
      outcome = await archiveBatch(
        pool,
        part.map((item) => item.record),
      );
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (part.length === 1) return quarantineOne(part[0]!, refusalOf(error));
      if (part === batch) {
        logger.warn('the archive refused a batch for its values; storing it in halves', {
          count: batch.length,
          error,
        });
      }
      // halves, not a transaction per record: one bad record among 100 costs about 14
      // transactions instead of 100, and every other record is still stored
      const half = Math.ceil(part.length / 2);
      await store(part.slice(0, half));
      if (!steps.stopped()) await store(part.slice(half));
      return;
    }
    steps.archived(part, outcome);
  };

  const quarantineOne = async (item: T, reason: RefusalReason): Promise<void> => {
    const stored = await quarantine(pool, item.record, reason);
    logger.error('parked message refused by the archive; quarantined', {
      messageId: item.record.messageId,
      reason: `${reason.code}: ${reason.message}`,
      alreadyQuarantined: !stored,
    });
    steps.quarantined(item, { record: item.record, reason, stored });
  };

  await store(batch);
}
