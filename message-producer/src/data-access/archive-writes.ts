import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise';
import type { ArchiveRecord, DeadLetterType } from '../domain/archived-message.js';
import { inTransaction } from './db.js';
import { indexBodies, insertJourney, type JourneyRow } from '@retro/database';

/** What one archive batch did: rows stored, and deliveries that were already in the archive. */
export interface ArchiveOutcome {
  stored: ArchiveRecord[];
  duplicates: number;
}

/** True once the archive's tables exist (the backend's migration has run). */
export async function archiveTablesExist(pool: Pool): Promise<boolean> {
  const [rows] = await pool.query<RowDataPacket[]>(
    `SELECT COUNT(*) AS n FROM information_schema.tables
      WHERE table_schema = DATABASE()
        AND table_name IN ('dead_letters', 'dead_letter_groups', 'dead_letter_audit',
                           'dead_letter_audit_items', 'dead_letter_quarantine')`,
  );
  return Number(rows[0]?.n) === 5;
}

/**
 * Stores a batch of parked messages and updates their groups' counts, in one transaction. A
 * record whose key is already archived (a redelivery after a commit whose ack was lost) is skipped,
 * so calling this again with the same messages changes nothing.
 */
export function archiveBatch(pool: Pool, records: ArchiveRecord[]): Promise<ArchiveOutcome> {
  return inTransaction(pool, async (connection) => {
    const unique = new Map(records.map((r) => [r.archiveKey.toString('hex'), r]));
    const [existing] = await connection.query<RowDataPacket[]>(
      'SELECT archive_key FROM dead_letters WHERE archive_key IN (?)',
      [[...unique.values()].map((r) => r.archiveKey)],
    );
    for (const row of existing) unique.delete((row.archive_key as Buffer).toString('hex'));
    const stored = [...unique.values()];
    if (stored.length > 0) {
      // a concurrent archiver inserting one of these keys meanwhile raises ER_DUP_ENTRY, and the
      // transaction runs again (inTransaction), now seeing its row
      await connection.query(
        `INSERT INTO dead_letters (archive_key, message_id, group_id, type, game_id, reason,
           parked_at, retry_count, body_encoding, body, body_bytes, body_is_json, properties,
           headers) VALUES ?`,
        [stored.map(rowValues)],
      );
      await addToGroups(connection, stored);
      await indexStoredBodies(connection, stored);
      await insertJourney(connection, archivedSteps(stored), { bounded: false });
    }
    return { stored, duplicates: records.length - stored.length };
  });
}

/** The `archived` step of each new row's journey. */
function archivedSteps(stored: ArchiveRecord[]): JourneyRow[] {
  return stored.flatMap((r) =>
    r.messageId
      ? [
          {
            messageId: r.messageId,
            at: null,
            stage: 'archived',
            service: 'producer',
            instance: null,
            detail: { reason: r.reason?.slice(0, 500) ?? null },
          },
        ]
      : [],
  );
}

/** The trigrams of the new rows' UTF-8 bodies, so `bodyContains` finds them from the commit on. */
async function indexStoredBodies(connection: PoolConnection, stored: ArchiveRecord[]) {
  const texts = stored.filter((r) => r.bodyEncoding === 'utf8');
  if (texts.length === 0) return;
  const [rows] = await connection.query<RowDataPacket[]>(
    'SELECT id, archive_key FROM dead_letters WHERE archive_key IN (?)',
    [texts.map((r) => r.archiveKey)],
  );
  const idOf = new Map(rows.map((r) => [(r.archive_key as Buffer).toString('hex'), Number(r.id)]));
  await indexBodies(
    connection,
    texts.map((r) => ({ id: idOf.get(r.archiveKey.toString('hex'))!, body: r.body })),
  );
}

function rowValues(r: ArchiveRecord): unknown[] {
  return [
    r.archiveKey,
    r.messageId,
    r.groupId,
    r.type,
    r.gameId,
    r.reason,
    r.parkedAt,
    r.retryCount,
    r.bodyEncoding,
    r.body,
    r.bodyBytes,
    r.bodyIsJson,
    JSON.stringify(r.properties),
    JSON.stringify(r.headers),
  ];
}

interface GroupDelta {
  groupId: string;
  fingerprint: string;
  sampleReason: string | null;
  counts: Record<DeadLetterType, number>;
  first: Date;
  last: Date;
}

/** What a group's counts need of a row: the archiver's new rows and a restore's. */
export type GroupMember = Pick<
  ArchiveRecord,
  'groupId' | 'fingerprint' | 'reason' | 'type' | 'parkedAt'
>;

/**
 * Adds rows to their groups' counts, making groups that do not exist yet; groups are locked in id
 * order (no deadlocks). Used by the archiver and by a restore of deleted rows.
 */
export async function addToGroups(
  connection: PoolConnection,
  stored: GroupMember[],
): Promise<void> {
  const deltas = new Map<string, GroupDelta>();
  for (const r of stored) {
    let d = deltas.get(r.groupId);
    if (!d) {
      d = {
        groupId: r.groupId,
        fingerprint: r.fingerprint,
        sampleReason: r.reason,
        counts: { game: 0, custom: 0, other: 0 },
        first: r.parkedAt,
        last: r.parkedAt,
      };
      deltas.set(r.groupId, d);
    }
    d.counts[r.type] += 1;
    if (r.parkedAt < d.first) d.first = r.parkedAt;
    if (r.parkedAt > d.last) d.last = r.parkedAt;
  }
  const sorted = [...deltas.values()].sort((a, b) => (a.groupId < b.groupId ? -1 : 1));
  // VALUES(col) reads the inserted row's value; MariaDB and MySQL 8 both accept it
  await connection.query(
    `INSERT INTO dead_letter_groups (group_id, fingerprint, sample_reason, message_count,
       game_count, custom_count, other_count, first_parked_at, last_parked_at) VALUES ?
     ON DUPLICATE KEY UPDATE
       message_count = message_count + VALUES(message_count),
       game_count = game_count + VALUES(game_count),
       custom_count = custom_count + VALUES(custom_count),
       other_count = other_count + VALUES(other_count),
       first_parked_at = LEAST(first_parked_at, VALUES(first_parked_at)),
       last_parked_at = GREATEST(last_parked_at, VALUES(last_parked_at))`,
    [
      sorted.map((d) => [
        d.groupId,
        d.fingerprint,
        d.sampleReason,
        d.counts.game + d.counts.custom + d.counts.other,
        d.counts.game,
        d.counts.custom,
        d.counts.other,
        d.first,
        d.last,
      ]),
    ],
  );
}
