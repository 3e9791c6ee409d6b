import type mysql from 'mysql2/promise';

export type Pool = mysql.Pool;
export type Queryable = mysql.Pool | mysql.PoolConnection;
export type Row = mysql.RowDataPacket;
export type Result = mysql.ResultSetHeader;

export {
  transactionInOneTrip,
  valueOrVariable,
  withTransaction,
  type SessionVariable,
  type Statement,
} from '@retro/database';

/** MySQL 8 returns JSON columns parsed, MariaDB returns them as text: normalize to text here. */
export function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return JSON.stringify(value);
}

export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return value instanceof Date ? value.toISOString() : new Date(value).toISOString();
}

/**
 * A `WHERE` clause from optional conditions: each `[sql, ...values]` whose values are all defined
 * is ANDed in, with its values as parameters in order. No condition gives an empty clause.
 */
export function whereClause(conditions: [string, ...unknown[]][]): {
  sql: string;
  params: unknown[];
} {
  const used = conditions.filter(([, ...values]) => values.every((v) => v !== undefined));
  return {
    sql: used.length ? `WHERE ${used.map(([sql]) => sql).join(' AND ')}` : '',
    params: used.flatMap(([, ...values]) => values),
  };
}
