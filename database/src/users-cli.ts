// npm run users -- <command>   (npm run users -- --help lists the commands)
// Manages accounts in the database named by the DB_* settings, as `npm run migrate` finds it.
// Secrets (a generated password, a token) go to standard output once; errors are one line on
// standard error with exit status 1, and change nothing.
import { userInfo } from 'node:os';
import {
  AppError,
  ConfigError,
  DependencyError,
  loadConfig,
  loadDotEnv,
  startupErrorLine,
} from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { type Command, USAGE, UsageError, parseCommand } from './users/args.js';
import { runCommand } from './users/commands.js';
import { createPool, dbSettings, type DbSettings } from './settings.js';

const PREFIX = 'users: ';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** Reaches the accounts table first, so a missing database reads as such, not as a bug. */
async function openAccounts(settings: DbSettings): Promise<Pool> {
  const pool = createPool(settings, 2);
  try {
    await pool.query('SELECT 1 FROM accounts LIMIT 0');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    const code = (error as { code?: string }).code;
    if (code === 'ER_BAD_DB_ERROR' || code === 'ER_NO_SUCH_TABLE') {
      throw new UsageError(
        `database ${settings.database} has no accounts yet: run \`npm run migrate\` first`,
      );
    }
    throw new DependencyError('MySQL', `${settings.host}:${settings.port}`, settings.user, {
      cause: error,
    });
  }
}

/** One line saying what went wrong, in the words of the command that was asked for. */
function errorLine(error: unknown, command: Command | undefined): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof AppError) {
    if (error.code === 'NOT_FOUND' && command && 'username' in command) {
      return `no account named ${command.username}`;
    }
    return error.message.charAt(0).toLowerCase() + error.message.slice(1);
  }
  if (error instanceof ConfigError || error instanceof DependencyError) {
    return startupErrorLine(error, { service: 'users' }).replace(/^users cannot start: /, '');
  }
  return (error as Error)?.message?.split('\n')[0] || String(error);
}

let command: Command | undefined;
let pool: Pool | undefined;
try {
  command = parseCommand(process.argv.slice(2));
  if (command.name === 'help') {
    process.stdout.write(`${USAGE}\n`);
  } else {
    loadDotEnv();
    const config = loadConfig(['DB_HOST', 'DB_PORT', 'DB_USER', 'DB_PASSWORD', 'DB_NAME']);
    pool = await openAccounts(dbSettings(config));
    await runCommand(pool, command, {
      out: (line) => process.stdout.write(`${line}\n`),
      readStdin,
      osUser: osUser(),
    });
  }
} catch (error) {
  process.stderr.write(`${PREFIX}${errorLine(error, command)}\n`);
  process.exitCode = 1;
} finally {
  await pool?.end().catch(() => undefined);
}
