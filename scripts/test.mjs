// Runs every check the project has and ends with one summary line: `Summary: N passed, N failed`.
// Steps: lint, build (every service, as `npm start` builds it), typecheck (sources and tests),
// the unit tests (`*.unit.test.ts`: no database, broker or service needed; `npm run test:unit`),
// the mocha suites against the real MariaDB and RabbitMQ, then the fault suite (which stops and
// starts RabbitMQ). Extra mocha arguments pass through and skip the fault suite:
//   npm test -- --grep outbox        TEST_ONLY=mocha npm test        TEST_ONLY=faults npm test
import { spawn } from 'node:child_process';

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

async function check(name, command, args) {
  if (only && only !== name) return;
  console.log(`\n=== ${name}: ${command} ${args.join(' ')}`);
  const { code } = await run(command, args);
  if (code === 0) passed += 1;
  else {
    failed += 1;
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
  if (code !== 0 && count('failing') === 0) {
    failed += 1;
    console.log(`=== ${name}: mocha exited ${code} without reporting a failing test`);
  }
  if (count('passing') + count('failing') === 0) {
    failed += 1;
    console.log(`=== ${name}: mocha ran no test`);
  }
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
// Stops and starts RabbitMQ, so it runs alone, after everything else (npm run test:faults).
if (extraArgs.length === 0) await mocha('faults', ['tests/faults/*.fault.ts']);

console.log(`\nSummary: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
