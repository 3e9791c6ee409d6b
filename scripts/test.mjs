// Runs every check the project has and ends with one summary line:
// `Summary: N passed, N failed, N skipped`.
// Steps: lint, build (every service, as `npm start` builds it), typecheck (sources and tests),
// the unit tests (`*.unit.test.ts`: no database, broker or service needed; `npm run test:unit`),
// the mocha suites against the real MariaDB and RabbitMQ, then the fault suite (which stops and
// starts RabbitMQ). Extra mocha arguments pass through and skip the fault suite:
//   npm test -- --grep outbox        TEST_ONLY=mocha npm test        TEST_ONLY=faults npm test
// Reads `.env` (the account `npm run setup` wrote), as `npm start` does. The fault suite needs
// the rights to stop and start the local RabbitMQ (`rabbitmqctl`, normally root): without them it
// is skipped, saying why, and counted as skipped; with CI=true it runs regardless (and fails).
// Started by a user who is not root, it uses `sudo -n` for that control only (never for the tests
// themselves, so nothing in the work tree comes to belong to root), keeping sudo's ticket fresh
// through the run. Tests that need a missing Chromium or nginx skip themselves with a reason
// (mocha's "pending"), counted here as skipped and their reasons repeated at the end.
import { spawn, spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { checkNode } from './lib/node-version.mjs';
import { loadEnvFile } from './lib/env-file.mjs';

checkNode('test');
loadEnvFile('.env');

const extraArgs = process.argv.slice(2);
const only = process.env.TEST_ONLY; // e.g. TEST_ONLY=mocha to skip lint/build/typecheck

function run(command, args, { capture = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
      env: { ...process.env, FORCE_COLOR: '0' },
    });
    let output = '';
    if (capture) {
      for (const stream of [child.stdout, child.stderr]) {
        stream.on('data', (chunk) => {
          output += chunk;
          (stream === child.stdout ? process.stdout : process.stderr).write(chunk);
        });
      }
    }
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
const skipReasons = new Set();
const root = process.getuid?.() === 0;

async function check(name, command, args) {
  if (only && only !== name) return;
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const { code } = await run(command, args);
  if (code === 0) passed += 1;
  else {
    failed += 1;
    failures.push(name);
    console.log(`=== ${name} FAILED (exit ${code})`);
  }
}

await check('lint', 'npm', ['run', '--silent', 'lint']);
await check('build', 'npm', ['run', '--silent', 'build']);
await check('typecheck', 'npm', ['run', '--silent', 'typecheck']);

/** A mocha run whose own test counts go into the summary. */
async function mocha(name, args) {
  if (only && only !== name) return;
  console.log(`\n=== ${name}: mocha ${args.join(' ')}`);
  const { code, output } = await run('npx', ['mocha', ...args], { capture: true });
  // mocha's closing lines, e.g. "  302 passing (2m)" and "  3 failing"
  const count = (word) =>
    Number([...output.matchAll(new RegExp(`^ *(\\d+) ${word}\\b`, 'gm'))].at(-1)?.[1] ?? 0);
  passed += count('passing');
  failed += count('failing');
  skipped += count('pending');
  for (const [, reason] of output.matchAll(/^SKIPPED: (.*)$/gm)) skipReasons.add(reason);
  if (count('failing') > 0) failures.push(`${name} (${count('failing')} failing)`);
  if (code !== 0 && count('failing') === 0) {
    failures.push(name);
    failed += 1;
    console.log(`=== ${name}: mocha exited ${code} without reporting a failing test`);
  }
  if (count('passing') + count('failing') + count('pending') === 0) {
    failed += 1;
    failures.push(name);
    console.log(`=== ${name}: mocha ran no test`);
  }
}

/**
 * Why the fault suite cannot stop and start the local RabbitMQ here, or undefined when it can.
 * `rabbitmqctl status` only reads, so asking changes nothing.
 */
function brokerControlProblem() {
  // as a user, through `sudo -n` (as the fault suite does it): no password prompt, ever
  const probe = root
    ? spawnSync('rabbitmqctl', ['-q', 'status'], { stdio: 'pipe', timeout: 60_000 })
    : spawnSync('sudo', ['-n', 'rabbitmqctl', '-q', 'status'], { stdio: 'pipe', timeout: 60_000 });
  if (
    !root &&
    probe.status !== 0 &&
    /password is required|a terminal is required/.test(`${probe.stderr}`)
  ) {
    return `it stops and starts the local RabbitMQ as root, and \`sudo -n\` needs a password here; run \`sudo -v\` first (or ./run-tests on a terminal asks for it)`;
  }
  if (probe.error?.code === 'ENOENT' || (!root && /command not found/.test(`${probe.stderr}`))) {
    return 'rabbitmqctl is not on PATH (Debian: `sudo apt-get install rabbitmq-server`); the fault suite stops and starts the local RabbitMQ with it';
  }
  if (probe.status !== 0) {
    // rabbitmqctl says why on stdout or stderr, after a page of usage when it refuses the user
    const lines = `${probe.stdout}\n${probe.stderr}\n${probe.error?.message ?? ''}`
      // eslint-disable-next-line no-control-regex -- terminal colour codes are what is removed
      .replace(/\x1b\[[0-9;]*m/g, '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    const reason = lines.find((l) => /only root|cookie|error|unable|refused|timed? ?out/i.test(l));
    return `rabbitmqctl cannot drive the local RabbitMQ as user ${userInfo().username} (${reason || `exit ${probe.status}`}); it needs root: run \`sudo -v\` first, or run as root`;
  }
  return undefined;
}

const unitTests = '*/test/**/*.unit.test.ts';
await mocha('unit', [unitTests, ...extraArgs]);
await mocha('mocha', [
  '*/test/**/*.test.ts',
  'tests/**/*.test.ts',
  '--ignore',
  unitTests,
  ...extraArgs,
]);
// sudo forgets a password after 15 minutes; the run is longer. Refreshing needs none (`-n`).
const keepSudo =
  root || only === 'mocha' || spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0
    ? undefined
    : setInterval(() => spawnSync('sudo', ['-n', '-v'], { stdio: 'ignore' }), 120_000);
keepSudo?.unref();

// Stops and starts RabbitMQ, so it runs alone, after everything else (npm run test:faults).
if (extraArgs.length === 0 && (!only || only === 'faults')) {
  const problem = brokerControlProblem();
  if (problem && process.env.CI !== 'true') {
    skipped += 1;
    skipReasons.add(`fault suite: ${problem}`);
    console.log(`\n=== faults SKIPPED: ${problem}`);
  } else {
    if (problem) console.log(`\n=== faults: CI=true, so running although ${problem}`);
    await mocha('faults', ['tests/faults/*.fault.ts']);
  }
}

clearInterval(keepSudo);
if (skipReasons.size > 0)
  console.log(`\nSkipped, and why:\n${[...skipReasons].map((r) => `  ${r}`).join('\n')}`);
if (failures.length > 0) {
  console.log(
    `\nFAILED: ${failures.join(', ')}. Fix: read the first failure above (lint: \`npm run format\`; set-up messages: docs/troubleshooting.md)`,
  );
}
console.log(`\nSummary: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
