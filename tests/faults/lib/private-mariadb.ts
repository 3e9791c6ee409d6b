import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '@retro/common/testing';
import mysql from 'mysql2/promise';
import { ExitGuard } from './exit-guard.js';

const run = promisify(execFile);
const MARIADBD = process.env.MARIADBD_PATH ?? '/usr/sbin/mariadbd';

/**
 * A MariaDB server of the test's own: its own data directory under the system's temporary
 * folder and its own port, so it can be stopped and started without disturbing the machine's
 * database or anyone else's tests. Root, no password, on 127.0.0.1. Whatever the test does, the
 * server is killed and its directory removed when the process exits.
 */
export class PrivateMariaDb {
  private child: ChildProcess | undefined;
  private readonly guard = new ExitGuard(() => this.destroySync());

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.guard.arm();
  }

  /** A fresh data directory (`mariadb-install-db`), started; resolves once it answers queries. */
  static async create(): Promise<PrivateMariaDb> {
    const dir = await mkdtemp(path.join(tmpdir(), 'retro-mariadb-'));
    await run(
      'mariadb-install-db',
      [
        '--no-defaults',
        `--datadir=${path.join(dir, 'data')}`,
        ...asRoot(),
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { timeout: 120_000 },
    );
    const server = new PrivateMariaDb(dir, await freePort());
    await server.start();
    return server;
  }

  /** What a service's DB_* settings need to reach it. */
  get env(): { DB_HOST: string; DB_PORT: string; DB_USER: string; DB_PASSWORD: string } {
    return { DB_HOST: '127.0.0.1', DB_PORT: String(this.port), DB_USER: 'root', DB_PASSWORD: '' };
  }

  async start(): Promise<void> {
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${path.join(this.dir, 'data')}`,
        `--port=${this.port}`,
        `--socket=${path.join(this.dir, 'sock')}`,
        `--pid-file=${path.join(this.dir, 'pid')}`,
        '--bind-address=127.0.0.1',
        ...asRoot(),
        '--skip-log-bin',
        '--innodb-buffer-pool-size=128M',
        '--max-connections=500',
        '--character-set-server=utf8mb4',
        '--collation-server=utf8mb4_unicode_ci',
      ],
      { stdio: 'ignore' },
    );
    this.child = child;
    await waitFor(
      'the private MariaDB to answer',
      async () => {
        if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}`);
        return this.answers();
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  }

  /** A clean shutdown (SIGTERM, as `systemctl stop` does): resolves once the process is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.kill('SIGTERM');
    await exited;
    clearTimeout(timer);
  }

  /** Whether it accepts a connection and answers a query right now. */
  async answers(): Promise<boolean> {
    try {
      const connection = await mysql.createConnection({ ...this.settings(), connectTimeout: 2000 });
      await connection.query('SELECT 1');
      await connection.end();
      return true;
    } catch {
      return false;
    }
  }

  /** Stops the server and removes its data directory. */
  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
    this.guard.release();
  }

  private settings() {
    return { host: '127.0.0.1', port: this.port, user: 'root', password: '' };
  }

  private destroySync(): void {
    this.child?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** mariadbd refuses to run as root unless told to. */
function asRoot(): string[] {
  return process.getuid?.() === 0 ? ['--user=root'] : [];
}
