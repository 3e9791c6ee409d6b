import { AppError, type AuditOrigin, HEADERS, type ParkedMessage } from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { countDeadLetters, oldestDeadLetters } from '../data-access/archive-reads.js';
import type { DeadLetter } from '../data-access/archive-rows.js';
import { archiveUnavailable } from '../data-access/db.js';
import type { DeadLetterConsole } from './dead-letter-console.js';
import { MAX_REPLAY_RATE } from './replay-jobs.js';
import { bodyBytes } from './replay-copy.js';

export type { ParkedMessage } from '@retro/common';

export const MAX_BODY_TEXT = 16_384;

/**
 * `GET /api/dlq` and `POST /api/dlq/replay` as before the archive, answered from it: the parked
 * messages are the archived ones not replayed yet, oldest first, and a replay runs as a job at the
 * highest rate and answers when it has ended.
 */
export class ParkedMessages {
  constructor(
    private readonly pool: Pool,
    private readonly console: DeadLetterConsole,
    private readonly queue: string,
  ) {}

  async list(limit: number): Promise<{ queue: string; total: number; messages: ParkedMessage[] }> {
    try {
      const notReplayed = { replayed: false };
      const [rows, total] = await Promise.all([
        oldestDeadLetters(this.pool, notReplayed, limit),
        countDeadLetters(this.pool, notReplayed),
      ]);
      return { queue: this.queue, total, messages: rows.map(describeParked) };
    } catch (error) {
      throw archiveUnavailable(error);
    }
  }

  /** Replays one message's archived parkings (404 if none waits) or all of them. */
  async replay(
    target: { messageId: string } | { all: true },
    origin: AuditOrigin,
  ): Promise<{ replayed: number; messageIds: string[] }> {
    const filter = 'all' in target ? {} : { messageId: target.messageId };
    if ('messageId' in target && (await this.waiting(filter)) === 0) {
      throw AppError.notFound(`Parked message ${target.messageId}`);
    }
    const messageIds: string[] = [];
    const { done } = await this.console.replay(
      { filter },
      {
        rate: MAX_REPLAY_RATE,
        includeReplayed: false,
        onReplayed: (ids) => messageIds.push(...ids),
        action: 'dlq.replay',
      },
      origin,
    );
    const job = await done;
    if (job.status === 'failed') {
      throw AppError.unavailable(
        `Replayed ${job.replayed} parked message${job.replayed === 1 ? '' : 's'}; then: ${job.error}. ` +
          'Those not replayed stay in the archive.',
      );
    }
    return { replayed: job.replayed, messageIds };
  }

  private async waiting(filter: { messageId?: string }): Promise<number> {
    try {
      return await countDeadLetters(this.pool, { ...filter, replayed: false });
    } catch (error) {
      throw archiveUnavailable(error);
    }
  }
}

function describeParked(row: DeadLetter): ParkedMessage {
  const text = bodyBytes(row).toString('utf8');
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // poison: shown as text only
  }
  const failedAt = row.headers[HEADERS.failedAt];
  return {
    id: row.id,
    messageId: row.messageId,
    body,
    bodyIsJson: row.bodyIsJson,
    bodyText: text.length > MAX_BODY_TEXT ? `${text.slice(0, MAX_BODY_TEXT)}…` : text,
    error: row.reason,
    failedAt: typeof failedAt === 'string' ? failedAt : row.parkedAt,
    retryCount: row.retryCount,
    headers: row.headers,
    contentType: typeof row.properties.contentType === 'string' ? row.properties.contentType : null,
    redelivered: false,
  };
}
