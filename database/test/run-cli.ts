import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DbSettings } from '../src/index.js';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Standard output's lines, without the empty one after the last line end. */
  lines: string[];
}

/**
 * Runs a built command of this package (`users-cli.js`, `cli.js`) as `npm run` does, against
 * `database`, with `stdin` piped in. Nothing of the test's own environment leaks in but the
 * path, and `env` on top; `cwd` keeps any `.env` (and a first operator's password file) away
 * from the repository.
 */
export function runCli(
  script: 'users-cli.js' | 'cli.js',
  args: string[],
  options: { database: DbSettings; cwd: string; stdin?: string; env?: Record<string, string> },
): Promise<CliRun> {
  const path = `${DIST}${script}`;
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first`);
  const { database } = options;
  const child = spawn(process.execPath, [path, ...args], {
    cwd: options.cwd,
    env: {
      PATH: process.env.PATH,
      DB_HOST: database.host,
      DB_PORT: String(database.port),
      DB_USER: database.user,
      DB_PASSWORD: database.password,
      DB_NAME: database.database,
      LOG_FORMAT: 'json',
      ...options.env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve) =>
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, lines: stdout.replace(/\n$/, '').split('\n') }),
    ),
  );
}
