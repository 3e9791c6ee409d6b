import type { RowDataPacket } from 'mysql2/promise';
import type { DeadLetter, DeadLetterGroup, DeadLetterSummary } from '@retro/common';

export type { DeadLetter, DeadLetterGroup, DeadLetterSummary } from '@retro/common';

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
const isoOrNull = (value: unknown) => (value === null || value === undefined ? null : iso(value));

/** MariaDB hands JSON columns over as text, MySQL 8 as parsed values. */
function json(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') return JSON.parse(value) as Record<string, unknown>;
  return (value ?? {}) as Record<string, unknown>;
}

export function toSummary(row: RowDataPacket): DeadLetterSummary {
  return {
    id: Number(row.id),
    messageId: row.message_id ?? null,
    groupId: row.group_id,
    type: row.type,
    gameId: row.game_id === null ? null : Number(row.game_id),
    reason: row.reason ?? null,
    parkedAt: iso(row.parked_at),
    archivedAt: iso(row.archived_at),
    retryCount: Number(row.retry_count),
    bodyBytes: Number(row.body_bytes),
    bodyEncoding: row.body_encoding,
    bodyIsJson: Boolean(row.body_is_json),
    ...('body_preview' in row && { bodyPreview: row.body_preview ?? null }),
    replayedAt: isoOrNull(row.replayed_at),
    replayCount: Number(row.replay_count),
    replayedAs: row.replayed_as ?? null,
    // only a deleted row says who deleted it and when (an operator's list of them)
    ...(row.deleted_at !== null &&
      row.deleted_at !== undefined && {
        deletedAt: iso(row.deleted_at),
        deletedBy: row.deleted_by ?? null,
      }),
  };
}

export function toDeadLetter(row: RowDataPacket): DeadLetter {
  return {
    ...toSummary(row),
    fingerprint: row.fingerprint ?? null,
    body: row.body,
    properties: json(row.properties),
    headers: json(row.headers),
  };
}

export function toGroup(row: RowDataPacket): DeadLetterGroup {
  return {
    groupId: row.group_id,
    fingerprint: row.fingerprint,
    sampleReason: row.sample_reason ?? null,
    count: Number(row.message_count),
    counts: {
      game: Number(row.game_count),
      custom: Number(row.custom_count),
      other: Number(row.other_count),
    },
    firstParkedAt: iso(row.first_parked_at),
    lastParkedAt: iso(row.last_parked_at),
  };
}
