// Runs every check the project has and ends with one summary line: `Summary: N passed, N failed`.
// Steps: lint, build (every service, as `npm start` builds it), typecheck (sources and tests),
// then the mocha suites against the real MariaDB and RabbitMQ. Extra mocha arguments pass through:
//   npm test -- --grep outbox
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

if (!only || only === 'mocha') {
  console.log('\n=== mocha');
  const specs = ['*/test/**/*.test.ts', 'tests/**/*.test.ts'];
  const { code, output } = await run('npx', ['mocha', ...specs, ...extraArgs], { capture: true });
  const count = (word) => Number(output.match(new RegExp(`(\\d+) ${word}`))?.[1] ?? 0);
  passed += count('passing');
  failed += count('failing');
  if (code !== 0 && count('failing') === 0) {
    failed += 1;
    console.log(`=== mocha exited ${code} without reporting a failing test`);
  }
  if (count('passing') + count('failing') === 0) {
    failed += 1;
    console.log('=== mocha ran no test');
  }
}

console.log(`\nSummary: ${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
