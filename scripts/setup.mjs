// One-time set-up of a fresh machine: creates (or repairs) the development MySQL/MariaDB accounts
// and writes them to `.env`, keeping every other value there. Run it once, with the rights to
// administer the database server: `sudo npm run setup` (Debian's and Ubuntu's MariaDB let the
// system's root in as the database's root through the server's socket, and no other way).
// Running it again changes nothing: the accounts in `.env` are kept, their rights re-granted.
//
// Two accounts (docs/security.md, "Database accounts"):
//   DB_MIGRATE_USER (`retro`)   the migrate step's: every right on the catalog database (schema)
//   DB_USER (`retro_app`)       the services': rows of the catalog database only, no schema change
// Both may do anything in the `test_*` databases the tests create. A `.env` from before the split
// (DB_USER=retro, all rights) keeps that account as the migrate step's: it made the tables and
// their triggers, which run with their maker's rights.
//
//   sudo npm run setup                         the local server, through its default socket
//   sudo npm run setup -- --socket PATH        another server's socket (a second mariadbd)
//   sudo npm run setup -- --user NAME          the services' account (default `retro_app`)
//   sudo npm run setup -- --migrate-user NAME  the migrate step's account (default `retro`)
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
  options: {
    socket: { type: 'string' },
    user: { type: 'string' },
    'migrate-user': { type: 'string' },
  },
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
const named = (key) => (file[key] && file[key] !== 'root' ? file[key] : undefined);
// before the split, .env named one account (DB_USER) with every right: it stays the migrate one
const split = Boolean(named('DB_MIGRATE_USER'));
const migrateUser = args['migrate-user'] ?? named('DB_MIGRATE_USER') ?? named('DB_USER') ?? 'retro';
const user = args.user ?? (split ? named('DB_USER') : undefined) ?? `${migrateUser}_app`;
for (const name of [user, migrateUser]) {
  if (!/^[A-Za-z0-9_]{1,32}$/.test(name)) stop(`account name '${name}': letters, digits, _ only`);
}
if (user === migrateUser) stop(`--user and --migrate-user must differ (both '${user}')`);
// a password already in .env for the same account is kept, so a second run changes nothing
const passwordOf = (name, userKey, passwordKey) =>
  file[userKey] === name && file[passwordKey] ? file[passwordKey] : randomBytes(18).toString('hex');
const migratePassword = split
  ? passwordOf(migrateUser, 'DB_MIGRATE_USER', 'DB_MIGRATE_PASSWORD')
  : passwordOf(migrateUser, 'DB_USER', 'DB_PASSWORD');
const password = split
  ? passwordOf(user, 'DB_USER', 'DB_PASSWORD')
  : randomBytes(18).toString('hex');

// The services' rights on the catalog database: rows, never the schema. Per table in
// database/src/grants.ts and docs/security.md; database-wide here, so that a table a later
// migration adds is usable without running this again (a grant on a table needs the table).
const SERVICE_RIGHTS = 'SELECT, INSERT, UPDATE, DELETE';

// Letters, digits and _ only (checked above): safe to put in the statements as they are.
const hosts = ['localhost', '127.0.0.1', '::1'];
const account = (name, h) => `'${name}'@'${h}'`;
const sql = [
  ...[
    [migrateUser, migratePassword],
    [user, password],
  ].flatMap(([name, secret]) =>
    hosts.flatMap((h) => [
      `CREATE USER IF NOT EXISTS ${account(name, h)} IDENTIFIED BY '${secret}';`,
      `ALTER USER ${account(name, h)} IDENTIFIED BY '${secret}';`,
      // back to no rights, then exactly these (an account that had more loses it)
      `REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${account(name, h)};`,
      // the databases tests create with random names (test_<file>_<hex>)
      `GRANT ALL PRIVILEGES ON \`test\\_%\`.* TO ${account(name, h)};`,
    ]),
  ),
  ...hosts.map((h) => `GRANT ALL PRIVILEGES ON \`${database}\`.* TO ${account(migrateUser, h)};`),
  ...hosts.map((h) => `GRANT ${SERVICE_RIGHTS} ON \`${database}\`.* TO ${account(user, h)};`),
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
say(`account '${migrateUser}' may change the schema of ${database} (the migrate step)`);
say(`account '${user}' may read and write rows of ${database}, nothing else (the services)`);
say('both may use test_* databases (from localhost)');

setEnvValues(ENV_FILE, {
  DB_USER: user,
  DB_PASSWORD: password,
  DB_MIGRATE_USER: migrateUser,
  DB_MIGRATE_PASSWORD: migratePassword,
});
// .env holds a password: readable by its owner only, and owned by whoever ran `sudo`
chmodSync(ENV_FILE, 0o600);
if (process.env.SUDO_UID)
  chownSync(ENV_FILE, Number(process.env.SUDO_UID), Number(process.env.SUDO_GID));
say(
  `wrote DB_USER, DB_PASSWORD, DB_MIGRATE_USER and DB_MIGRATE_PASSWORD to ${ENV_FILE} (other values kept)`,
);

for (const [name, secret] of [
  [migrateUser, migratePassword],
  [user, password],
]) {
  try {
    const connection = await mysql.createConnection({
      host,
      port,
      user: name,
      password: secret,
      connectTimeout: 5000,
    });
    await connection.query('SELECT 1');
    await connection.end();
  } catch (error) {
    stop(
      `the account '${name}' was made, but connecting to ${host}:${port} as it failed: ${error.message}.` +
        ' Fix: DB_HOST/DB_PORT in .env must name the server you just set up',
    );
  }
}
say(`checked: both connect to ${host}:${port}. Next: \`npm start\`, then \`npm test\``);

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
