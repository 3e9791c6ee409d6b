// Runs the whole system locally: applies migrations, then starts every workspace that has a
// `start` script (backend, consumer, producer, frontend), each on its own port. Ctrl-C or SIGTERM
// stops them all. Reads `.env` when present.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

if (existsSync('.env')) process.loadEnvFile('.env');

const root = JSON.parse(readFileSync('package.json', 'utf8'));
const services = root.workspaces.filter((dir) => {
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
  return Boolean(pkg.scripts?.start);
});

function run(dir, args) {
  const child = spawn('npm', ['run', '--silent', ...args], {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  return child;
}

const migrate = run('database', ['migrate']);
const migrateCode = await new Promise((resolve) => migrate.on('close', resolve));
if (migrateCode !== 0) {
  console.error('migration failed; is MySQL/MariaDB running? (see DB_* in README.md)');
  process.exit(migrateCode ?? 1);
}

const children = services.map((dir) => {
  const child = run(dir, ['start']);
  child.on('close', (code, signal) => {
    console.error(`[start] ${dir} exited (${signal ?? code})`);
    if (!stopping) stop(1);
  });
  return child;
});
console.error(`[start] running: ${services.join(', ')}`);

let stopping = false;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
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
