// What each statement of a migration does, and for schema changes how to tell from
// information_schema whether it is already done. DDL commits as it runs (MySQL and MariaDB
// alike), so a migrate step stopped between a DDL statement and the record of it finds the change
// made but not recorded: before running a schema change the runner looks it up here and skips
// what is there. Portable: no `IF NOT EXISTS` on columns or indexes (MySQL 8 has none).
import type mysql from 'mysql2/promise';
import { nameOf, tokenize, type Token } from './sql-statements.js';

/** A schema object, and whether the change is done when it exists (`true`) or when it is gone. */
export interface Condition {
  object: 'table' | 'column' | 'index' | 'constraint' | 'trigger' | 'view' | 'routine';
  table?: string;
  name: string;
  exists: boolean;
}

/** One part of a statement: an ALTER TABLE clause, or the whole statement. */
export interface Clause {
  text: string;
  /** All hold once the clause has run; none known: the clause is re-runnable and always runs. */
  done: Condition[];
  /** ALGORITHM= and LOCK=: kept when any other clause runs, never a reason to run. */
  option?: boolean;
}

export type Statement =
  /** Session state only (SET, PREPARE, DEALLOCATE, DO): runs with the step after it. */
  | { kind: 'session'; sql: string }
  /** EXECUTE of a prepared statement: guarded by the file itself (see 013). */
  | { kind: 'dynamic'; sql: string }
  /** Rows (INSERT, UPDATE, DELETE, REPLACE): one transaction with the record of the step. */
  | { kind: 'data'; sql: string }
  /** A schema change the runner knows how to look up. */
  | { kind: 'schema'; sql: string; head: string; clauses: Clause[] }
  /** A statement the runner cannot look up: it must be safe to run twice by itself. */
  | { kind: 'unguarded'; sql: string };

const word = (t: Token | undefined) => (t?.kind === 'word' ? t.value : undefined);

/** Reads a statement: what kind it is and, for a schema change, how to tell it is done. */
export function classify(sql: string): Statement {
  const tokens = tokenize(sql);
  const first = word(tokens[0]);
  if (first && ['SET', 'PREPARE', 'DEALLOCATE', 'DO'].includes(first)) {
    return { kind: 'session', sql };
  }
  if (first === 'EXECUTE') return { kind: 'dynamic', sql };
  if (first && ['INSERT', 'UPDATE', 'DELETE', 'REPLACE'].includes(first)) {
    return { kind: 'data', sql };
  }
  const guarded =
    first === 'ALTER' ? alterTable(sql, tokens) : first ? wholeStatement(sql, tokens) : undefined;
  return guarded ?? { kind: 'unguarded', sql };
}

/** Skips `IF [NOT] EXISTS` at `i`, returning the index after it. */
function skipIfExists(tokens: Token[], i: number): number {
  if (word(tokens[i]) !== 'IF') return i;
  const not = word(tokens[i + 1]) === 'NOT';
  return word(tokens[i + (not ? 2 : 1)]) === 'EXISTS' ? i + (not ? 3 : 2) : i;
}

/** Skips `DEFINER = x`, `ALGORITHM = x`, `SQL SECURITY x` before the object of a CREATE. */
function skipCreateOptions(tokens: Token[], i: number): number {
  for (;;) {
    const w = word(tokens[i]);
    if (w === 'DEFINER' || w === 'ALGORITHM') {
      i += 2; // the name and `=`
      // a definer is user@host: one token each, joined by `@`
      while (tokens[i + 1]?.value === '@' || tokens[i]?.value === '@') i += 1;
      i += 1;
    } else if (w === 'SQL' && word(tokens[i + 1]) === 'SECURITY') {
      i += 3;
    } else {
      return i;
    }
  }
}

function wholeStatement(sql: string, tokens: Token[]): Statement | undefined {
  const first = word(tokens[0]);
  const statement = (done: Condition[]): Statement => ({
    kind: 'schema',
    sql,
    head: '',
    clauses: [{ text: sql, done }],
  });
  if (first === 'CREATE') {
    let i = 1;
    const orReplace = word(tokens[i]) === 'OR' && word(tokens[i + 1]) === 'REPLACE';
    if (orReplace) i += 2;
    i = skipCreateOptions(tokens, i);
    if (['UNIQUE', 'FULLTEXT', 'SPATIAL'].includes(word(tokens[i]) ?? '')) i += 1;
    const object = word(tokens[i]);
    i = skipIfExists(tokens, i + 1);
    const name = nameOf(tokens[i], sql);
    if (!name) return undefined;
    if (object === 'TABLE') return statement([{ object: 'table', name, exists: true }]);
    if (object === 'TRIGGER') return statement([{ object: 'trigger', name, exists: true }]);
    if (object === 'VIEW') {
      return orReplace ? statement([]) : statement([{ object: 'view', name, exists: true }]);
    }
    if (object === 'PROCEDURE' || object === 'FUNCTION') {
      return statement([{ object: 'routine', name, exists: true }]);
    }
    if (object === 'INDEX' && word(tokens[i + 1]) === 'ON') {
      const table = nameOf(tokens[i + 2], sql);
      return table ? statement([{ object: 'index', table, name, exists: true }]) : undefined;
    }
    return undefined;
  }
  if (first === 'DROP') {
    const object = word(tokens[1]);
    const i = skipIfExists(tokens, 2);
    if (object === 'INDEX' && word(tokens[i + 1]) === 'ON') {
      const name = nameOf(tokens[i], sql);
      const table = nameOf(tokens[i + 2], sql);
      return name && table
        ? statement([{ object: 'index', table, name, exists: false }])
        : undefined;
    }
    const kinds: Record<string, Condition['object']> = {
      TABLE: 'table',
      TRIGGER: 'trigger',
      VIEW: 'view',
      PROCEDURE: 'routine',
      FUNCTION: 'routine',
    };
    const kind = object ? kinds[object] : undefined;
    if (!kind) return undefined;
    // DROP TABLE a, b: done when every one is gone
    const names = tokens
      .slice(i)
      .filter((t) => t.value !== ',')
      .map((t) => nameOf(t, sql));
    if (names.some((n) => !n)) return undefined;
    return statement(names.map((name) => ({ object: kind, name: name!, exists: false })));
  }
  if (first === 'RENAME' && word(tokens[1]) === 'TABLE' && word(tokens[3]) === 'TO') {
    const from = nameOf(tokens[2], sql);
    const to = nameOf(tokens[4], sql);
    if (!from || !to || tokens.length !== 5) return undefined;
    return statement([
      { object: 'table', name: from, exists: false },
      { object: 'table', name: to, exists: true },
    ]);
  }
  return undefined;
}

/** ALTER TABLE t clause, clause, …: each clause looked up on its own. */
function alterTable(sql: string, tokens: Token[]): Statement | undefined {
  if (word(tokens[1]) !== 'TABLE') return undefined;
  const table = nameOf(tokens[2], sql);
  if (!table || !tokens[3]) return undefined;
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens.slice(3)) {
    if (token.value === '(') depth += 1;
    if (token.value === ')') depth -= 1;
    if (token.value === ',' && depth === 0) parts.push([]);
    else parts.at(-1)!.push(token);
  }
  const clauses: Clause[] = [];
  for (const part of parts) {
    if (!part.length) return undefined;
    const text = sql.slice(part[0]!.start, part.at(-1)!.end);
    const clause = alterClause(sql, table, part);
    if (!clause) return undefined;
    clauses.push({ text, ...clause });
  }
  return { kind: 'schema', sql, head: sql.slice(0, tokens[3].start), clauses };
}

const INDEX_WORDS = new Set(['KEY', 'INDEX']);
const INDEX_KINDS = new Set(['UNIQUE', 'FULLTEXT', 'SPATIAL']);

function alterClause(sql: string, table: string, part: Token[]): Omit<Clause, 'text'> | undefined {
  const w = (i: number) => word(part[i]);
  const name = (i: number) => nameOf(part[i], sql);
  const column = (i: number, exists: boolean): Condition[] | undefined => {
    const n = name(i);
    return n ? [{ object: 'column', table, name: n, exists }] : undefined;
  };
  const index = (i: number, exists: boolean): Condition[] | undefined => {
    const n = name(i);
    return n && part[i]?.value !== '(' ? [{ object: 'index', table, name: n, exists }] : undefined;
  };
  const constraint = (i: number, exists: boolean): Condition[] | undefined => {
    const n = name(i);
    return n ? [{ object: 'constraint', table, name: n, exists }] : undefined;
  };
  const result = (done: Condition[] | undefined) => (done ? { done } : undefined);
  const verb = w(0);
  if (verb === 'ALGORITHM' || verb === 'LOCK') return { done: [], option: true };
  if (verb === 'ADD') {
    if (w(1) === 'PRIMARY' && w(2) === 'KEY') {
      return { done: [{ object: 'index', table, name: 'PRIMARY', exists: true }] };
    }
    if (w(1) === 'CONSTRAINT') return result(constraint(2, true));
    if (INDEX_KINDS.has(w(1) ?? ''))
      return result(index(INDEX_WORDS.has(w(2) ?? '') ? 3 : 2, true));
    if (INDEX_WORDS.has(w(1) ?? '')) return result(index(2, true));
    if (w(1) === 'FOREIGN' || w(1) === 'CHECK' || w(1) === 'PARTITION') return undefined;
    if (part[1]?.value === '(') return undefined;
    return result(column(w(1) === 'COLUMN' ? 2 : 1, true));
  }
  if (verb === 'DROP') {
    if (w(1) === 'PRIMARY' && w(2) === 'KEY') {
      return { done: [{ object: 'index', table, name: 'PRIMARY', exists: false }] };
    }
    if (INDEX_WORDS.has(w(1) ?? '')) return result(index(2, false));
    if (w(1) === 'FOREIGN' && w(2) === 'KEY') return result(constraint(3, false));
    if (w(1) === 'CONSTRAINT' || w(1) === 'CHECK') return result(constraint(2, false));
    if (w(1) === 'PARTITION') return undefined;
    return result(column(w(1) === 'COLUMN' ? 2 : 1, false));
  }
  if (verb === 'CHANGE' || (verb === 'RENAME' && w(1) === 'COLUMN')) {
    const at = verb === 'CHANGE' ? (w(1) === 'COLUMN' ? 2 : 1) : 2;
    const from = name(at);
    const to = name(verb === 'CHANGE' ? at + 1 : at + 2);
    if (!from || !to) return undefined;
    if (from.toLowerCase() === to.toLowerCase()) return { done: [] };
    return {
      done: [
        { object: 'column', table, name: from, exists: false },
        { object: 'column', table, name: to, exists: true },
      ],
    };
  }
  if (verb === 'RENAME' && INDEX_WORDS.has(w(1) ?? '')) {
    const from = name(2);
    const to = name(4);
    if (!from || !to) return undefined;
    return {
      done: [
        { object: 'index', table, name: from, exists: false },
        { object: 'index', table, name: to, exists: true },
      ],
    };
  }
  // MODIFY and ALTER COLUMN … SET DEFAULT give the same table when run again
  if (verb === 'MODIFY' || (verb === 'ALTER' && w(1) !== 'INDEX')) return { done: [] };
  return undefined;
}

const LOOKUPS: Record<Condition['object'], string> = {
  table: `SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?`,
  column: `SELECT 1 FROM information_schema.columns
           WHERE table_schema = DATABASE() AND table_name = ? AND column_name = ?`,
  index: `SELECT 1 FROM information_schema.statistics
          WHERE table_schema = DATABASE() AND table_name = ? AND index_name = ? LIMIT 1`,
  constraint: `SELECT 1 FROM information_schema.table_constraints
               WHERE constraint_schema = DATABASE() AND table_name = ? AND constraint_name = ?`,
  trigger: `SELECT 1 FROM information_schema.triggers
            WHERE trigger_schema = DATABASE() AND trigger_name = ?`,
  view: `SELECT 1 FROM information_schema.views WHERE table_schema = DATABASE() AND table_name = ?`,
  routine: `SELECT 1 FROM information_schema.routines
            WHERE routine_schema = DATABASE() AND routine_name = ?`,
};

async function holds(db: mysql.Connection, condition: Condition): Promise<boolean> {
  const params = condition.table ? [condition.table, condition.name] : [condition.name];
  const [rows] = await db.query<mysql.RowDataPacket[]>(LOOKUPS[condition.object], params);
  return rows.length > 0 === condition.exists;
}

/**
 * The SQL still to run for a schema statement: null when all of it is done, else the statement
 * with only its clauses not done yet (an ALTER TABLE half done by hand loses what is there).
 */
export async function pendingSql(
  db: mysql.Connection,
  statement: Extract<Statement, { kind: 'schema' }>,
): Promise<string | null> {
  const pending: Clause[] = [];
  for (const clause of statement.clauses) {
    if (clause.option) continue;
    let done = clause.done.length > 0;
    for (const condition of clause.done) {
      if (!done) break;
      done = await holds(db, condition);
    }
    if (!done) pending.push(clause);
  }
  if (!pending.length) return null;
  if (!statement.head) return statement.sql;
  if (pending.length === statement.clauses.filter((c) => !c.option).length) return statement.sql;
  const options = statement.clauses.filter((c) => c.option);
  // a clause may end in a `--` comment: each on its own line
  return `${statement.head}\n${[...pending, ...options].map((c) => c.text).join(',\n')}\n`;
}
