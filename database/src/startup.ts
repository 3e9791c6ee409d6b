import { ConfigError, DependencyError } from '@retro/common';
import mysql from 'mysql2/promise';
import { ChecksumMismatchError } from './migration-files.js';
import type { DbSettings } from './settings.js';

/**
 * Runs `work` against MySQL at start; any failure becomes a `DependencyError` naming MySQL, its
 * address and account, so the service's one startup error line can say what to fix. A setting
 * found wrong on the way (ADMIN_PASSWORD_FILE) stays a `ConfigError`, and an edited migration a
 * `ChecksumMismatchError`: MySQL is not to blame.
 */
export async function atStart<T>(settings: DbSettings, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof ConfigError || cause instanceof ChecksumMismatchError) throw cause;
    throw new DependencyError('MySQL', `${settings.host}:${settings.port}`, settings.user, {
      cause,
    });
  }
}

/** Connects once (to the server, not to a database that may not exist yet) and asks `SELECT 1`. */
export function probeDatabase(settings: DbSettings): Promise<void> {
  return atStart(settings, async () => {
    const connection = await mysql.createConnection({
      host: settings.host,
      port: settings.port,
      user: settings.user,
      password: settings.password,
      connectTimeout: 5000,
    });
    try {
      await connection.query('SELECT 1');
    } finally {
      await connection.end().catch(() => undefined);
    }
  });
}
