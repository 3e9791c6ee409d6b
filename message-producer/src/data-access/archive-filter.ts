import { searchTrigrams } from '@retro/database';
import type { DeadLetterType } from '../domain/archived-message.js';

/** Which archived messages a list, a count, a replay, a delete or an export is about. */
export interface DeadLetterFilter {
  /** Failure group (`dead_letter_groups.group_id`). */
  group?: string;
  type?: DeadLetterType;
  gameId?: number;
  /** Text the body contains (case-insensitive; UTF-8 bodies only). */
  bodyContains?: string;
  /**
   * The trigrams that narrow `bodyContains` (planBodySearch picks the rarest); unset: a spread of
   * the text's; empty: none, the LIKE scans. Never changes which rows match.
   */
  bodyTrigrams?: string[];
  /** The ids of the rows holding `bodyTrigrams`, read beforehand (planBodySearch). */
  bodyCandidates?: number[];
  /** Parked at or after. */
  from?: Date;
  /** Parked before. */
  to?: Date;
  /** Only replayed (true) or only not yet replayed (false) messages. */
  replayed?: boolean;
  messageId?: string;
  /** Archive row ids. */
  ids?: number[];
  /** Rows archived up to this id: a job's snapshot, so rows archived meanwhile are left out. */
  maxId?: number;
  /**
   * Deleted rows (an operator's restore and list of them) instead of the live ones. Every read
   * and action leaves deleted rows out unless it asks for them here.
   */
  deleted?: boolean;
}

/** A position in the newest-first order: the last row of a page. */
export interface PageCursor {
  parkedAt: Date;
  id: number;
}

export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** `LIKE` treats % and _ as wildcards: a tester's text is matched literally. */
const likeContains = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * The ids of the rows whose body holds every one of `trigrams`, some of the searched text's
 * (migration 017): every body containing the text is among them. Undefined for none (a text
 * shorter than a trigram, or too common for the index), which the LIKE alone decides.
 */
export function trigramCandidates(trigrams: string[]): SqlPart | undefined {
  if (trigrams.length === 0) return undefined;
  const joins = trigrams
    .slice(1)
    .map(
      (_, i) =>
        `JOIN dead_letter_trigrams t${i + 1} ON t${i + 1}.dead_letter_id = t0.dead_letter_id AND t${i + 1}.trigram = ?`,
    );
  return {
    sql: `SELECT t0.dead_letter_id FROM dead_letter_trigrams t0 ${joins.join(' ')} WHERE t0.trigram = ?`,
    params: [...trigrams.slice(1), trigrams[0]],
  };
}

/** The WHERE clause for `filter`, over `dead_letters` (optionally aliased). */
export function whereOf(filter: DeadLetterFilter, alias = ''): SqlPart {
  const col = (name: string) => (alias ? `${alias}.${name}` : name);
  const terms: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    terms.push(sql);
    params.push(...values);
  };
  if (filter.group !== undefined) add(`${col('group_id')} = ?`, filter.group);
  if (filter.type !== undefined) add(`${col('type')} = ?`, filter.type);
  if (filter.gameId !== undefined) add(`${col('game_id')} = ?`, filter.gameId);
  if (filter.messageId !== undefined) add(`${col('message_id')} = ?`, filter.messageId);
  if (filter.from !== undefined) add(`${col('parked_at')} >= ?`, filter.from);
  if (filter.to !== undefined) add(`${col('parked_at')} < ?`, filter.to);
  if (filter.replayed !== undefined) {
    terms.push(`${col('replayed_at')} IS ${filter.replayed ? 'NOT ' : ''}NULL`);
  }
  if (filter.bodyContains !== undefined) {
    const candidates = trigramCandidates(
      filter.bodyTrigrams ?? searchTrigrams(filter.bodyContains),
    );
    if (filter.bodyCandidates?.length === 0) terms.push('FALSE');
    else if (filter.bodyCandidates) add(`${col('id')} IN (?)`, filter.bodyCandidates);
    else if (candidates) add(`${col('id')} IN (${candidates.sql})`, ...candidates.params);
    // the LIKE decides: the trigrams only narrow the rows it reads. general_ci compares
    // case-insensitively at about twice the speed of the column's unicode_ci, and it is the
    // collation of the trigram index, so both agree on which characters are the same
    add(
      `${col('body_encoding')} = 'utf8' AND ${col('body')} LIKE ? COLLATE utf8mb4_general_ci ESCAPE '\\\\'`,
      likeContains(filter.bodyContains),
    );
  }
  if (filter.ids !== undefined) {
    // an empty id list matches nothing (IN () is not SQL)
    if (filter.ids.length === 0) terms.push('FALSE');
    else add(`${col('id')} IN (?)`, filter.ids);
  }
  if (filter.maxId !== undefined) add(`${col('id')} <= ?`, filter.maxId);
  terms.push(`${col('deleted_at')} IS ${filter.deleted ? 'NOT ' : ''}NULL`);
  return { sql: terms.length ? `WHERE ${terms.join(' AND ')}` : '', params };
}

/**
 * Rows after `cursor` in the newest-first order (or oldest-first, `ascending`), as an extra
 * condition. Written as an OR rather than a row comparison, which MariaDB does not use as a range.
 */
export function afterCursor(
  cursor: PageCursor | undefined,
  alias = '',
  ascending = false,
): SqlPart {
  if (!cursor) return { sql: '', params: [] };
  const at = alias ? `${alias}.parked_at` : 'parked_at';
  const id = alias ? `${alias}.id` : 'id';
  const op = ascending ? '>' : '<';
  return {
    sql: `(${at} ${op} ? OR (${at} = ? AND ${id} ${op} ?))`,
    params: [cursor.parkedAt, cursor.parkedAt, cursor.id],
  };
}

/** `where` and `extra` joined with AND. */
export function andAlso(where: SqlPart, extra: SqlPart): SqlPart {
  if (!extra.sql) return where;
  if (!where.sql) return { sql: `WHERE ${extra.sql}`, params: extra.params };
  return { sql: `${where.sql} AND ${extra.sql}`, params: [...where.params, ...extra.params] };
}

/**
 * True when the count of `filter` can be read from the per-group counts instead of the rows: a
 * group, a type, both or neither, of live rows (the groups count no deleted ones). Those are the
 * counts the console shows most often.
 */
export function countableFromGroups(filter: DeadLetterFilter): boolean {
  return Object.entries(filter).every(
    ([key, value]) =>
      value === undefined || key === 'group' || key === 'type' || (key === 'deleted' && !value),
  );
}

/** True when `filter` names no condition at all: it would match every message. */
export function matchesEverything(filter: DeadLetterFilter): boolean {
  return Object.values(filter).every((value) => value === undefined);
}

export function encodeCursor(cursor: PageCursor): string {
  return Buffer.from(`${cursor.parkedAt.getTime()}.${cursor.id}`).toString('base64url');
}

/** The cursor, or undefined when `text` is not one this service made. */
export function decodeCursor(text: string): PageCursor | undefined {
  const match = /^(\d{1,15})\.(\d{1,19})$/.exec(Buffer.from(text, 'base64url').toString());
  if (!match) return undefined;
  return { parkedAt: new Date(Number(match[1])), id: Number(match[2]) };
}
