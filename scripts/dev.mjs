// `npm run dev`: the whole system as `npm start` runs it, rebuilt and restarted on every change.
// The TypeScript of every service (and of the web server) is compiled by `tsc -b --watch`, the
// pages by `vite build --watch`; each service runs under `node --watch`, which restarts it when a
// file it loaded (its own dist/ or common's) changes. Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import { checkNode } from './lib/node-version.mjs';

checkNode('dev');
const say = (line) => console.error(`[dev] ${line}`);

/** A child that shares the terminal; stopping dev stops it. */
function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: 'inherit', ...options });
  children.push(child);
  return child;
}
const children = [];

// One full build first, so every dist/ exists before the services and the watchers start.
const first = spawn('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const built = await new Promise((resolve) => first.on('close', resolve));
if (built !== 0) {
  say('FAILED: the first build. Fix: the compiler errors above; then `npm run dev` again');
  process.exit(1);
}
start('npx', [
  'tsc',
  '-b',
  'tsconfig.build.json',
  'frontend/server',
  '--watch',
  '--preserveWatchOutput',
]);
start('npx', ['vite', 'build', '--watch', '--logLevel', 'warn'], { cwd: 'frontend' });
const system = start(process.execPath, ['scripts/start.mjs', '--watch']);
say('watching: a saved change rebuilds, and the services that use it restart');

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
system.on('close', (code) => {
  stop();
  process.exitCode = code ?? 0;
});
