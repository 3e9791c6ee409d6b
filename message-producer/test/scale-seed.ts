import { indexUnindexedDeadLetters } from '@retro/database';
import type { Pool } from 'mysql2/promise';
import { fingerprintOf, groupIdOf } from '../src/domain/fingerprint.js';

export const SCALE_GROUPS = 20;

/** The reason of group `g`; its fingerprint masks the task number only. */
const reasonSql = (g: string) =>
  `CONCAT('failure of kind ', CHAR(65 + ${g}), ' while reporting task ', n)`;

/**
 * Fills the archive with `rows` parked messages in one INSERT … SELECT (a cross join of digits
 * makes the numbers), spread as a real archive would be: 20 groups of very different sizes (the
 * biggest about a fifth of all rows, the smallest a few hundred), a third of them game events over
 * 500 games, bodies of ~230 bytes, parked over the last 30 days. Then the group counts, as the
 * archiver keeps them, the body trigrams, and fresh index statistics.
 */
export async function seedArchive(pool: Pool, rows: number): Promise<{ groupIds: string[] }> {
  const groupIds = Array.from({ length: SCALE_GROUPS }, (_, g) =>
    groupIdOf(
      fingerprintOf(`failure of kind ${String.fromCharCode(65 + g)} while reporting task 1`),
    ),
  );
  const fingerprints = groupIds.map((_, g) =>
    fingerprintOf(`failure of kind ${String.fromCharCode(65 + g)} while reporting task 1`),
  );
  const digits =
    '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
  // g skews towards 0: group A holds ~22 %, group T ~2.5 %
  const g = `FLOOR(${SCALE_GROUPS} * POW((n % 1000) / 1000, 2))`;
  const list = (values: string[]) => values.map((v) => pool.escape(v)).join(', ');
  await pool.query(
    `INSERT INTO dead_letters (archive_key, message_id, group_id, type, game_id, reason, parked_at,
       retry_count, archived_at, body_encoding, body, body_bytes, body_is_json, properties, headers)
     SELECT UNHEX(SHA2(CONCAT('scale-', n), 256)), CONCAT('scale-', n),
       ELT(${g} + 1, ${list(groupIds)}),
       ELT(${g} % 3 + 1, 'game', 'custom', 'other'),
       IF(${g} % 3 = 0, 1 + n % 500, NULL),
       ${reasonSql(g)},
       NOW(3) - INTERVAL (n * 26) SECOND, n % 4, NOW(3) - INTERVAL (n * 26) SECOND + INTERVAL 1 SECOND,
       'utf8', body, LENGTH(body), TRUE,
       '{"contentType":"application/json","deliveryMode":2}',
       JSON_OBJECT('x-error', ${reasonSql(g)}, 'x-retry-count', n % 4)
     FROM (
       SELECT n, CONCAT('{"eventId":"scale-', n, '","gameId":', 1 + n % 500,
         ',"action":"update","gameData":{"title":"Game ', n % 500, '","note":"', REPEAT('x', 120), '"}}') AS body
       FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + 100000 * h.d AS n
             FROM ${digits} a, ${digits} b, ${digits} c, ${digits} e, ${digits} f, ${digits} h) numbers
       WHERE n < ?
     ) seq`,
    [rows],
  );
  await pool.query(
    `INSERT INTO dead_letter_groups (group_id, fingerprint, sample_reason, message_count, game_count,
       custom_count, other_count, first_parked_at, last_parked_at)
     SELECT group_id, ELT(FIELD(group_id, ${list(groupIds)}), ${list(fingerprints)}), MIN(reason),
       COUNT(*), SUM(type = 'game'), SUM(type = 'custom'), SUM(type = 'other'),
       MIN(parked_at), MAX(parked_at)
     FROM dead_letters GROUP BY group_id`,
  );
  // the body text index, as the archiver writes it for each row it stores
  await indexUnindexedDeadLetters(pool, 2000);
  await pool.query('ANALYZE TABLE dead_letters, dead_letter_groups, dead_letter_trigrams');
  return { groupIds };
}

/** p50 and p95 of `samples` (ms), rounded to 0.1 ms. */
export function percentiles(samples: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (v: number) => Math.round(v * 10) / 10;
  return { p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted.at(-1)!) };
}
