// Finds SQL that MariaDB accepts and MySQL 8 rejects, so a migration that passes on the MariaDB
// the tests run against still works on MySQL (docs/deployment.md, "Compatibility"). Comments and
// quoted text are blanked out before the search: only what the server parses as SQL counts.

/** One MariaDB-only construct, found in a migration. */
export interface PortabilityProblem {
  file: string;
  /** 1-based line where the construct starts. */
  line: number;
  /** What was written, in upper case with single spaces, e.g. `DROP COLUMN IF EXISTS`. */
  construct: string;
  /** The portable way to get the same effect. */
  instead: string;
}

interface Rule {
  pattern: RegExp;
  instead: string;
  /** Only at statement level, not inside parentheses (e.g. MySQL's `JSON_VALUE(… RETURNING …)`). */
  topLevel?: boolean;
}

const CONDITIONAL_DDL =
  'look the object up in information_schema and run the statement through PREPARE/EXECUTE ' +
  '(as migration 013 does)';

const RULES: Rule[] = [
  {
    // `ALTER TABLE t DROP [COLUMN] IF EXISTS c`, `DROP INDEX IF EXISTS i ON t`, ...; `DROP TABLE
    // IF EXISTS` and the like are portable and do not match.
    pattern:
      /\bDROP\s+(?:(?:COLUMN|INDEX|KEY|CONSTRAINT|PARTITION|FOREIGN\s+KEY)\s+)?IF\s+EXISTS\b/gi,
    instead: CONDITIONAL_DDL,
  },
  {
    pattern:
      /\bADD\s+(?:(?:COLUMN|INDEX|KEY|CONSTRAINT|PARTITION|FOREIGN\s+KEY|(?:UNIQUE|FULLTEXT|SPATIAL)(?:\s+(?:INDEX|KEY))?)\s+)?IF\s+NOT\s+EXISTS\b/gi,
    instead: CONDITIONAL_DDL,
  },
  {
    pattern: /\bCREATE\s+(?:(?:UNIQUE|FULLTEXT|SPATIAL)\s+)?INDEX\s+IF\s+NOT\s+EXISTS\b/gi,
    instead: CONDITIONAL_DDL,
  },
  {
    pattern: /\b(?:MODIFY|CHANGE)\s+(?:COLUMN\s+)?IF\s+EXISTS\b/gi,
    instead: CONDITIONAL_DDL,
  },
  {
    pattern: /\bCREATE\s+VIEW\s+IF\s+NOT\s+EXISTS\b/gi,
    instead: 'CREATE OR REPLACE VIEW',
  },
  {
    // MySQL knows `CREATE OR REPLACE VIEW` only (options may stand before VIEW).
    pattern:
      /\bCREATE\s+OR\s+REPLACE\b(?!(?:\s+ALGORITHM\s*=\s*\w+)?(?:\s+DEFINER\s*=\s*\S+)?(?:\s+SQL\s+SECURITY\s+\w+)?\s+VIEW\b)(?:\s+\w+)?/gi,
    instead: 'DROP TABLE/TRIGGER/PROCEDURE/FUNCTION … IF EXISTS, then CREATE',
  },
  {
    pattern: /\bRETURNING\b/gi,
    topLevel: true,
    instead: 'a separate SELECT (or LAST_INSERT_ID()) in the same transaction',
  },
  {
    pattern: /\b(?:CREATE|ALTER|DROP)\s+SEQUENCE\b/gi,
    instead: 'an AUTO_INCREMENT column',
  },
  {
    pattern: /\b(?:NEXTVAL|LASTVAL|SETVAL)\s*\(|\b(?:NEXT|PREVIOUS)\s+VALUE\s+FOR\b/gi,
    instead: 'an AUTO_INCREMENT column',
  },
  {
    pattern: /\bALGORITHM\s*=?\s*NOCOPY\b/gi,
    instead: 'ALGORITHM=INPLACE or INSTANT, or no ALGORITHM clause',
  },
  {
    pattern: /\bWITH\s+SYSTEM\s+VERSIONING\b/gi,
    instead: 'a history table written by triggers',
  },
];

/**
 * `sql` with comments replaced by spaces and the contents of quoted strings and identifiers by
 * underscores (one word each, so `DEFINER = 'u'@'%'` stays one token), line breaks kept, so
 * offsets and line numbers still match the original. Executable comments stay code: `/*! … *\/`
 * runs on both servers, `/*M! … *\/` on MariaDB only (so it is portable and blanked like a
 * comment).
 */
export function blankCommentsAndQuotes(sql: string): string {
  const out = sql.split('');
  const blank = (from: number, to: number, filler = ' ') => {
    for (let i = from; i < to; i++) if (out[i] !== '\n') out[i] = filler;
  };
  let inExecutable = false;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === '/' && next === '*') {
      if (sql.startsWith('/*!', i)) {
        const prefix = /^\/\*!\d*/.exec(sql.slice(i))![0];
        blank(i, i + prefix.length);
        inExecutable = true;
        i += prefix.length;
        continue;
      }
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '*' && next === '/' && inExecutable) {
      blank(i, i + 2);
      inExecutable = false;
      i += 2;
    } else if (c === '#' || (c === '-' && next === '-' && /^--(\s|$)/.test(sql.slice(i, i + 3)))) {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === '\\' && c !== '`') j += 2;
        else if (sql[j] === c && sql[j + 1] === c) j += 2;
        else if (sql[j] === c) break;
        else j += 1;
      }
      blank(i + 1, Math.min(j, sql.length), '_');
      i = j + 1;
    } else {
      i += 1;
    }
  }
  return out.join('');
}

/** How deep in parentheses each offset of (blanked) `sql` is. */
function depths(sql: string): number[] {
  let depth = 0;
  return sql.split('').map((c) => {
    if (c === '(') depth += 1;
    else if (c === ')') depth = Math.max(0, depth - 1);
    return c === '(' ? depth - 1 : depth;
  });
}

/** Every MariaDB-only construct in `sql`, in the order they appear. */
export function mariadbOnlySyntax(sql: string, file: string): PortabilityProblem[] {
  const code = blankCommentsAndQuotes(sql);
  const depth = depths(code);
  const found: (PortabilityProblem & { at: number })[] = [];
  for (const rule of RULES) {
    for (const match of code.matchAll(rule.pattern)) {
      if (rule.topLevel && depth[match.index] !== 0) continue;
      found.push({
        file,
        at: match.index,
        line: code.slice(0, match.index).split('\n').length,
        construct: match[0]
          .replace(/\s*\($/, '')
          .replace(/\s+/g, ' ')
          .toUpperCase(),
        instead: rule.instead,
      });
    }
  }
  return found.sort((a, b) => a.at - b.at).map(({ at: _at, ...problem }) => problem);
}

/** `file:line: CONSTRUCT is MariaDB-only …`, for a test failure or a log line. */
export function describeProblem(problem: PortabilityProblem): string {
  return `${problem.file}:${problem.line}: ${problem.construct} is MariaDB-only (MySQL 8 rejects it); instead: ${problem.instead}`;
}
