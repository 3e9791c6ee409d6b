// The first run of `npm run migrate` (the built command, as a child process): with no enabled
// operator it makes `admin`, hands its password over once, and never again.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyPassword } from '@retro/common';
import { expect } from 'chai';
import type mysql from 'mysql2/promise';
import { createPool, dropDatabase, type DbSettings } from '../src/index.js';
import { testDbAccount } from '../src/testing.js';
import { runCli } from './run-cli.js';

/** The JSON log lines a run wrote (standard output). */
const logLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; message: string });

describe('the first run of npm run migrate', function () {
  this.timeout(60_000);
  let database: DbSettings;
  let cwd: string;
  let pool: mysql.Pool | undefined;

  beforeEach(() => {
    database = { ...testDbAccount(), database: `test_first_run_${randomBytes(4).toString('hex')}` };
    cwd = mkdtempSync(join(tmpdir(), 'retro-first-run-'));
  });

  afterEach(async () => {
    await pool?.end();
    pool = undefined;
    await dropDatabase(database);
    rmSync(cwd, { recursive: true, force: true });
  });

  const migrate = (env: Record<string, string> = {}) =>
    runCli('cli.js', [], { database, cwd, env });

  async function operators() {
    pool ??= createPool(database, 1);
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      "SELECT username, password_hash FROM accounts WHERE role = 'operator' AND enabled",
    );
    return rows as Array<{ username: string; password_hash: string }>;
  }

  it('when no operator exists, then it makes admin once, its password in a file only its owner reads', async () => {
    const first = await migrate();
    expect(first.code, first.stderr).to.equal(0);
    const file = join(cwd, 'admin-password.txt');
    expect(existsSync(file), 'ADMIN_PASSWORD_FILE, relative to the working directory').to.equal(
      true,
    );
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const password = readFileSync(file, 'utf8').trim();
    const [admin, ...others] = await operators();
    expect(admin!.username).to.equal('admin');
    expect(others).to.deep.equal([]);
    expect(await verifyPassword(password, admin!.password_hash)).to.equal(true);

    const said = logLines(first.stdout).filter((l) => l.message.includes('admin'));
    expect(said).to.have.length(1);
    expect(said[0]!.message).to.include(file);
    expect(first.stdout, 'the password stays out of the log').not.to.include(password);

    const second = await migrate();
    expect(second.code, second.stderr).to.equal(0);
    expect(logLines(second.stdout).filter((l) => l.message.includes('admin'))).to.deep.equal([]);
    expect(await operators()).to.have.length(1);
    expect(readFileSync(file, 'utf8').trim(), 'the file is left alone').to.equal(password);
  });

  it('when ADMIN_PASSWORD_FILE is empty (containers), then the one log line carries the password and no file is written', async () => {
    const run = await migrate({ ADMIN_PASSWORD_FILE: '' });
    expect(run.code, run.stderr).to.equal(0);
    const said = logLines(run.stdout).filter((l) => l.message.includes('admin'));
    expect(said).to.have.length(1);
    const password = /its password is (\S+) /.exec(said[0]!.message)?.[1];
    const [admin] = await operators();
    expect(await verifyPassword(password ?? '', admin!.password_hash)).to.equal(true);
    expect(existsSync(join(cwd, 'admin-password.txt'))).to.equal(false);
  });

  it('when the password file cannot be written, then migrate says which setting to fix and makes no account', async () => {
    const run = await migrate({ ADMIN_PASSWORD_FILE: join(cwd, 'missing-folder', 'pw.txt') });
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(
      /^migrate cannot start: invalid configuration \(ADMIN_PASSWORD_FILE: /,
    );
    expect(await operators()).to.deep.equal([]);
  });

  it('when admin lost its way in, then users reset-password admin gives it a new password', async () => {
    await migrate();
    const reset = await runCli('users-cli.js', ['reset-password', 'admin'], { database, cwd });
    expect(reset.code, reset.stderr).to.equal(0);
    const [admin] = await operators();
    expect(await verifyPassword(reset.lines.at(-1)!, admin!.password_hash)).to.equal(true);
  });
});
