// Cuts a migration file into the statements the server would run, so the migrate step can run
// and record them one at a time. Stored programs (triggers, procedures) keep the `;` inside their
// BEGIN … END or IF … END IF bodies: the server parses those as one statement.
import { blankCommentsAndQuotes } from './portable-sql.js';

/** One token of a statement: a word (upper case), an identifier in backquotes, or punctuation. */
export interface Token {
  kind: 'word' | 'quoted' | 'string' | 'other';
  /** Upper case for words; the name without its backquotes for quoted identifiers. */
  value: string;
  /** Offsets in the statement's text. */
  start: number;
  end: number;
}

const STORED_PROGRAM =
  /^\s*CREATE\s+(?:DEFINER\s*=\s*\S+\s+)?(?:TRIGGER|PROCEDURE|FUNCTION|EVENT)\b/i;
/** Openers that are also function names (`IF(`, `REPEAT(`): blocks only where a statement starts. */
const STATEMENT_OPENERS = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT']);
const BEFORE_A_STATEMENT = new Set([
  ';',
  ':',
  'BEGIN',
  'THEN',
  'ELSE',
  'ROW',
  'DO',
  'LOOP',
  'REPEAT',
]);
const ENDED_BLOCKS = new Set(['IF', 'CASE', 'LOOP', 'WHILE', 'REPEAT']);

/** The statements of `sql`, trimmed, with their comments; empty ones (only comments) left out. */
export function splitStatements(sql: string): string[] {
  const code = blankCommentsAndQuotes(sql);
  const statements: string[] = [];
  let start = 0;
  let depth = 0;
  let stored = STORED_PROGRAM.test(code);
  let previous = ';';
  let afterEnd = false;
  const finish = (end: number) => {
    if (code.slice(start, end).trim()) statements.push(sql.slice(start, end).trim());
    start = end + 1;
    depth = 0;
    stored = STORED_PROGRAM.test(code.slice(start));
    previous = ';';
    afterEnd = false;
  };
  for (const match of code.matchAll(/;|:|[A-Za-z_][A-Za-z0-9_$]*/g)) {
    const token = match[0].toUpperCase();
    if (token === ';') {
      if (depth === 0) {
        finish(match.index);
        continue;
      }
    } else if (stored) {
      if (afterEnd && ENDED_BLOCKS.has(token)) {
        // the IF of END IF closes nothing more
      } else if (token === 'END') {
        depth = Math.max(0, depth - 1);
      } else if (token === 'BEGIN' || token === 'CASE') {
        depth += 1;
      } else if (STATEMENT_OPENERS.has(token) && BEFORE_A_STATEMENT.has(previous)) {
        depth += 1;
      }
    }
    afterEnd = token === 'END';
    previous = token;
  }
  finish(sql.length);
  return statements;
}

/** The tokens of one statement, comments left out. */
export function tokenize(statement: string): Token[] {
  const code = blankCommentsAndQuotes(statement);
  const tokens: Token[] = [];
  for (const match of code.matchAll(/`_*`|'_*'|"_*"|[A-Za-z0-9_$]+|[^\sA-Za-z0-9_$]/g)) {
    const text = match[0];
    const start = match.index;
    const end = start + text.length;
    if (text.startsWith('`')) {
      tokens.push({ kind: 'quoted', value: statement.slice(start + 1, end - 1), start, end });
    } else if (text.startsWith("'") || text.startsWith('"')) {
      tokens.push({ kind: 'string', value: statement.slice(start + 1, end - 1), start, end });
    } else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(text)) {
      tokens.push({ kind: 'word', value: text.toUpperCase(), start, end });
    } else {
      tokens.push({ kind: 'other', value: text, start, end });
    }
  }
  return tokens;
}

/** A name as the server stores it: a bare word in its own case, or the inside of backquotes. */
export function nameOf(token: Token | undefined, statement: string): string | undefined {
  if (!token) return undefined;
  if (token.kind === 'quoted') return token.value.replace(/``/g, '`');
  if (token.kind === 'word') return statement.slice(token.start, token.end);
  return undefined;
}
