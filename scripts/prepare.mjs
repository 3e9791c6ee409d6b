// Makes this machine ready for `./run-system` (goal `system`) or `./run-tests` (goal `tests`):
// says what is missing and what it will do, installs the Debian packages with one apt-get (sudo
// asks for the password only then; as root, no sudo), enables the management plugin of a RabbitMQ
// it installs,
// starts MariaDB and RabbitMQ (systemd where it runs, else directly), runs `npm ci` when
// node_modules is missing or older than package-lock.json, and creates the development database
// account and `.env` (`npm run setup`) when the account there (or root without a password) cannot
// log in. Everything but the
// root steps runs as the user who started it, so no file in the work tree comes to belong to root.
// Node's own modules only: it runs before node_modules exists.
//
//   node scripts/prepare.mjs system|tests [--dry-run]
// Any failure ends with one line: what failed, and the fix.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { answers, gatherFacts, hasCommand } from './lib/machine-facts.mjs';
import { describePlan, planMachine } from './lib/machine-plan.mjs';
import { readEnvFile } from './lib/env-file.mjs';
import { checkNode } from './lib/node-version.mjs';

const goal = process.argv[2];
const dryRun = process.argv.includes('--dry-run');
const who = goal === 'tests' ? 'run-tests' : 'run-system';
const started = Date.now();
const say = (line) => console.log(`[${who}] ${line}`);
const fail = (what, fix) => {
  console.error(`[${who}] FAILED: ${what}. Fix: ${fix}`);
  process.exit(1);
};

if (goal !== 'system' && goal !== 'tests') {
  console.error('usage: node scripts/prepare.mjs system|tests [--dry-run]');
  process.exit(2);
}
checkNode(who);
const settings = () => ({ ...readEnvFile('.env'), ...process.env });

const facts = await gatherFacts(goal, settings());
const plan = planMachine(goal, facts);
if (plan.problem) {
  const [what, fix] = plan.problem.split('. Fix: ');
  fail(what, fix ?? 'see docs/troubleshooting.md');
}
// `sudo ./run-tests` would build and test as root and leave root's files in the work tree
if (facts.root && !facts.ci && process.env.SUDO_UID && process.env.SUDO_UID !== '0') {
  fail(
    'started through sudo: the build and the tests would leave files that belong to root',
    `run \`./${who}\` as yourself; it uses sudo itself for the steps that need root`,
  );
}
const ownedByOther = ['node_modules', '.env'].find(
  (path) => !facts.root && existsSync(path) && statSync(path).uid !== process.getuid(),
);
if (ownedByOther) {
  fail(
    `${ownedByOther} belongs to another user (an earlier \`sudo npm …\`?)`,
    `\`sudo chown -R ${userInfo().username} .\` in this folder, then run this again`,
  );
}

const todo = describePlan(plan, facts);
say(todo.length === 0 ? 'everything is in place' : `this machine needs set-up; this run:`);
for (const line of todo) say(`  - ${line}`);
if (dryRun) process.exit(0);

/** Runs a command with the terminal attached; its exit status. */
function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  return result.error ? 127 : (result.status ?? 1);
}

if (plan.root.length > 0) {
  const script = ['set -u', ...plan.root].join('\n');
  const status = facts.root ? run('sh', ['-c', script]) : run('sudo', ['--', 'sh', '-c', script]);
  if (status !== 0) {
    fail(
      plan.install.length > 0
        ? `installing ${plan.install.join(', ')} or starting MariaDB/RabbitMQ (exit ${status})`
        : `starting MariaDB/RabbitMQ (exit ${status})`,
      plan.install.length > 0
        ? `read apt-get's message above; \`sudo apt-get install -y ${plan.install.join(' ')}\` by hand shows it again (docs/troubleshooting.md)`
        : 'see the message above and docs/troubleshooting.md ("No systemd")',
    );
  }
}

/** Waits up to `seconds` for host:port to accept connections. */
async function waitFor(name, host, port, seconds) {
  for (let i = 0; i < seconds; i += 1) {
    if (await answers(host, port)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  fail(
    `${name} does not answer at ${host}:${port} after ${seconds} s`,
    name === 'MariaDB'
      ? '`sudo systemctl status mariadb` (or its log, /var/log/mysql) says why; or set DB_HOST/DB_PORT in .env'
      : '`sudo rabbitmq-diagnostics status` says why; or set RABBITMQ_URL in .env',
  );
}
const env = settings();
await waitFor('MariaDB', env.DB_HOST || '127.0.0.1', Number(env.DB_PORT || 3306), 90);
const broker = new URL((env.RABBITMQ_URL || 'amqp://127.0.0.1:5672').split(',')[0]);
await waitFor('RabbitMQ', broker.hostname, Number(broker.port || 5672), 120);

if (plan.user.includes('npm ci')) {
  say('npm ci');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0)
    fail('npm ci', "read npm's message above; a network problem: run this again");
}

/** Whether the account in .env (or MariaDB's default, root without password) logs in over TCP. */
function accountWorks() {
  const { DB_HOST, DB_PORT, DB_USER, DB_PASSWORD } = settings();
  const client = ['mariadb', 'mysql'].find(hasCommand);
  if (!client) return true; // a server elsewhere; the services say so if the account is wrong
  const probe = spawnSync(
    client,
    [
      '--protocol=tcp',
      '-h',
      DB_HOST || '127.0.0.1',
      '-P',
      DB_PORT || '3306',
      '-u',
      DB_USER || 'root',
      '-e',
      'SELECT 1',
    ],
    { stdio: 'ignore', env: { ...process.env, MYSQL_PWD: DB_PASSWORD ?? '' } },
  );
  return probe.status === 0;
}
// only when the account cannot log in: where MariaDB lets root in without a password over TCP
// (CI, a machine set up by hand), nothing is created and the tests run as root
if (!accountWorks()) {
  say('creating the development database account and .env (npm run setup)');
  // process.execPath: with nvm, root's PATH has no node (`sudo npm` is "command not found")
  const status = facts.root
    ? run(process.execPath, ['scripts/setup.mjs'])
    : run('sudo', ['--', process.execPath, 'scripts/setup.mjs']);
  if (status !== 0)
    fail('creating the database account (npm run setup)', 'its message above says what to do');
}

// The fault suite stops and starts RabbitMQ, which needs root: asked for once, here, on a terminal.
if (goal === 'tests' && !facts.root && facts.sudo && process.stdin.isTTY) {
  if (spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status !== 0) {
    say(
      'the fault suite stops and starts RabbitMQ as root: sudo asks for your password (Ctrl-C skips that suite)',
    );
    run('sudo', ['-v']);
  }
}
say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
