// One-time set-up of a fresh machine: creates (or repairs) the development MySQL/MariaDB account
// and writes it to `.env`, keeping every other value there. Run it once, with the rights to
// administer the database server: `sudo npm run setup` (Debian's and Ubuntu's MariaDB let the
// system's root in as the database's root through the server's socket, and no other way).
// Running it again changes nothing: the account in `.env` is kept, its rights re-granted.
//
//   sudo npm run setup                     the local server, through its default socket
//   sudo npm run setup -- --socket PATH    another server's socket (a second mariadbd)
//   sudo npm run setup -- --user NAME      another account name than `retro` (or DB_USER in .env)
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import amqplib from 'amqplib';
import mysql from 'mysql2/promise';
import { readEnvFile, setEnvValues } from './lib/env-file.mjs';
import { checkNode } from './lib/node-version.mjs';

const ENV_FILE = '.env';
const say = (line) => console.log(`[setup] ${line}`);
const stop = (line) => {
  console.error(`[setup] ${line}`);
  process.exit(1);
};

checkNode('setup');
const { values: args } = parseArgs({
  options: { socket: { type: 'string' }, user: { type: 'string' } },
});

if (!existsSync(ENV_FILE)) {
  copyFileSync('.env.example', ENV_FILE);
  say('created .env from .env.example');
}
const file = readEnvFile(ENV_FILE);
const setting = (key, fallback) => process.env[key] || file[key] || fallback;
const host = setting('DB_HOST', '127.0.0.1');
const port = Number(setting('DB_PORT', '3306'));
const database = setting('DB_NAME', 'retro_games_catalog');
const current = file.DB_USER && file.DB_USER !== 'root' ? file.DB_USER : undefined;
const user = args.user ?? current ?? 'retro';
if (!/^[A-Za-z0-9_]{1,32}$/.test(user)) stop(`account name '${user}': letters, digits, _ only`);
// the password already in .env for this account is kept, so a second run changes nothing
const password =
  user === current && file.DB_PASSWORD ? file.DB_PASSWORD : randomBytes(18).toString('hex');

// Letters, digits and _ only (checked above): safe to put in the statements as they are.
const hosts = ['localhost', '127.0.0.1', '::1'];
const sql = [
  ...hosts.map((h) => `CREATE USER IF NOT EXISTS '${user}'@'${h}' IDENTIFIED BY '${password}';`),
  ...hosts.map((h) => `ALTER USER '${user}'@'${h}' IDENTIFIED BY '${password}';`),
  // the catalog itself, and the databases tests create with random names (test_<file>_<hex>)
  ...hosts.map((h) => `GRANT ALL PRIVILEGES ON \`${database}\`.* TO '${user}'@'${h}';`),
  ...hosts.map((h) => `GRANT ALL PRIVILEGES ON \`test\\_%\`.* TO '${user}'@'${h}';`),
].join('\n');

const client = ['mariadb', 'mysql'].find(
  (name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0,
);
if (!client) {
  stop('no `mariadb` client found. Fix: `sudo apt-get install mariadb-server` (it brings one)');
}
const admin = spawnSync(
  client,
  ['--protocol=socket', '-u', 'root', ...(args.socket ? [`--socket=${args.socket}`] : [])],
  { input: sql, encoding: 'utf8' },
);
if (admin.status !== 0) {
  const reason = (admin.stderr || admin.error?.message || '').trim().split('\n')[0];
  const hint = /denied/i.test(reason)
    ? 'run it as root: `sudo npm run setup` (MariaDB lets the system root in through its socket)'
    : /socket|connect/i.test(reason)
      ? 'is MariaDB running? `sudo systemctl start mariadb`; another server: `-- --socket PATH`'
      : 'see docs/troubleshooting.md';
  stop(`could not create the account as the database root: ${reason}. Fix: ${hint}`);
}
say(`account '${user}' may use ${database} and test_* databases (from localhost)`);

setEnvValues(ENV_FILE, { DB_USER: user, DB_PASSWORD: password });
// .env holds a password: readable by its owner only, and owned by whoever ran `sudo`
chmodSync(ENV_FILE, 0o600);
if (process.env.SUDO_UID)
  chownSync(ENV_FILE, Number(process.env.SUDO_UID), Number(process.env.SUDO_GID));
say(`wrote DB_USER and DB_PASSWORD to ${ENV_FILE} (other values kept)`);

try {
  const connection = await mysql.createConnection({
    host,
    port,
    user,
    password,
    connectTimeout: 5000,
  });
  await connection.query('SELECT 1');
  await connection.end();
  say(`checked: '${user}' connects to ${host}:${port}. Next: \`npm start\`, then \`npm test\``);
} catch (error) {
  stop(
    `the account was made, but connecting to ${host}:${port} as it failed: ${error.message}.` +
      ' Fix: DB_HOST/DB_PORT in .env must name the server you just set up',
  );
}

// RabbitMQ needs no account of its own on one machine (guest works from localhost); say if it answers.
const broker = setting('RABBITMQ_URL', 'amqp://guest:guest@127.0.0.1:5672').split(',')[0];
try {
  const connection = await amqplib.connect(broker, { timeout: 5000 });
  await connection.close();
  say('checked: RabbitMQ answers at RABBITMQ_URL');
} catch (error) {
  say(
    `note: RabbitMQ does not answer yet (${error.message}). Fix: \`sudo apt-get install rabbitmq-server\`, \`sudo systemctl start rabbitmq-server\`, or set RABBITMQ_URL in .env`,
  );
}
