// Runs the whole system locally: every workspace that has a `start` script (backend, consumer,
// producer, frontend), each on its own port. The backend applies the database migrations as it
// starts, as it does in its container. Ctrl-C or SIGTERM stops them all. Reads `.env` when present.
// Each line a service writes is prefixed with its name; on a terminal the services write one
// coloured line per event (LOG_FORMAT=auto), elsewhere JSON.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { checkNode } from './lib/node-version.mjs';
import { loadEnvFile } from './lib/env-file.mjs';

checkNode('start');
loadEnvFile('.env');
const terminal = Boolean(process.stdout.isTTY);

// `--watch` (npm run dev): each service under `node --watch`, restarted when a file it loaded changes
const watch = process.argv.includes('--watch');
const root = JSON.parse(readFileSync('package.json', 'utf8'));
const services = root.workspaces.flatMap((dir) => {
  const script = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')).scripts?.start;
  if (!script) return [];
  return [{ dir, script: watch ? script.replace(/^node /, 'node --watch ') : script }];
});

// Browsers reach the backend through the local web server (frontend/server) on this machine,
// which writes the browser's address into X-Forwarded-For: the backend believes that header
// from loopback peers only (with the development token it also listens on 127.0.0.1 only, so no
// other machine can be such a peer). Without this every browser would share the web server's
// address, and so one rate-limit budget. The producer is reached directly and trusts nobody. A
// TRUST_PROXY of your own wins.
// The services write into pipes (for the prefixes), so they are told whether a person reads them.
const shared = {
  ...process.env,
  LOG_FORMAT:
    process.env.LOG_FORMAT && process.env.LOG_FORMAT !== 'auto'
      ? process.env.LOG_FORMAT
      : terminal
        ? 'pretty'
        : 'json',
};
// The backend runs in its own folder; the first operator's password file (ADMIN_PASSWORD_FILE,
// relative) belongs next to this one, where README says to look. Empty stays empty.
const passwordFile = process.env.ADMIN_PASSWORD_FILE ?? 'admin-password.txt';
const environment = (dir) =>
  dir === 'backend'
    ? {
        ...shared,
        TRUST_PROXY: process.env.TRUST_PROXY || 'loopback',
        ADMIN_PASSWORD_FILE: passwordFile && resolve(passwordFile),
      }
    : shared;

const COLOURS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[34m', '\x1b[32m'];
const width = Math.max(...services.map((s) => s.dir.length));
/** Copies `stream` line by line to `out`, each line behind the service's name. */
function prefixLines(stream, out, dir, index) {
  const label = `${dir.padEnd(width)} |`;
  const prefix = terminal ? `${COLOURS[index % COLOURS.length]}${label}\x1b[0m ` : `${label} `;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
    out.write(`${prefix}${line}\n`),
  );
}

// Each service runs its start script in a process group of its own, so that stopping the group
// reaches the service itself and not only the shell around it.
const children = services.map(({ dir, script }, index) => {
  const child = spawn(script, {
    cwd: dir,
    env: environment(dir),
    shell: true,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  prefixLines(child.stdout, process.stdout, dir, index);
  prefixLines(child.stderr, process.stderr, dir, index);
  child.on('close', (code, signal) => {
    console.error(`[start] ${dir} exited (${signal ?? code})`);
    if (!stopping) stop(1);
  });
  return child;
});
console.error(`[start] running: ${services.map((s) => s.dir).join(', ')}`);

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const timer = setTimeout(() => process.exit(code), 25_000);
  Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('close', r)))),
  ).then(() => {
    clearTimeout(timer);
    process.exit(code);
  });
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
