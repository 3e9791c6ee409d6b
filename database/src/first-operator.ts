import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  ConfigError,
  type Logger,
  addAccount,
  generatePassword,
  operatorExists,
  recordAudit,
  resetPassword,
} from '@retro/common';
import type mysql from 'mysql2/promise';

/** The account the first run creates when no enabled operator exists. */
export const FIRST_OPERATOR = 'admin';

export interface FirstOperatorOptions {
  /**
   * Where the generated password is written (mode 600), relative to the working directory;
   * empty: nowhere, the log line carries it instead (containers, where the log is the only
   * output a person reads).
   */
  passwordFile: string;
  /** Says once what was created and where its password is. */
  logger: Logger;
}

/**
 * The first run: with no enabled operator nobody could manage accounts, so `admin` is made one
 * with a generated password. Runs inside the migration lock, so replicas starting together
 * create it once. If `admin` exists (disabled, or no longer an operator) it is restored
 * instead: the database then has no other way in.
 * Answers whether it did anything.
 */
export async function ensureOperator(
  connection: mysql.Connection,
  options: FirstOperatorOptions,
): Promise<boolean> {
  if (await operatorExists(connection)) return false;
  const password = generatePassword();
  const file = options.passwordFile ? resolve(options.passwordFile) : null;
  // written before the account exists: an account whose password reached nobody would lock
  // everyone out until the next run
  if (file) await writePasswordFile(file, password);
  const [existing] = await connection.query<mysql.RowDataPacket[]>(
    'SELECT id FROM accounts WHERE username = ?',
    [FIRST_OPERATOR],
  );
  const restored = existing.length > 0;
  if (restored) {
    await connection.query(
      "UPDATE accounts SET role = 'operator', enabled = TRUE WHERE username = ?",
      [FIRST_OPERATOR],
    );
    await resetPassword(connection, FIRST_OPERATOR, password);
  } else {
    await addAccount(connection, FIRST_OPERATOR, 'operator', password);
  }
  await recordAudit(
    connection,
    { service: 'migrate', actor: null, role: null, requestId: null, clientIp: null },
    {
      action: restored ? 'account-restore' : 'account-add',
      target: `account:${FIRST_OPERATOR}`,
      detail: { role: 'operator', firstRun: true },
    },
  );
  const what = restored
    ? `no enabled operator was left: restored the operator account ${FIRST_OPERATOR} with a new password`
    : `created the first operator account ${FIRST_OPERATOR}`;
  // the one place a password reaches a log, and only when there is no file to put it in
  if (file) {
    options.logger.warn(
      `${what}; its password is in ${file} (sign in, then change it or delete the file)`,
      { username: FIRST_OPERATOR, passwordFile: file },
    );
  } else {
    options.logger.warn(
      `${what}; its password is ${password} (sign in and change it: this line is the only copy)`,
      { username: FIRST_OPERATOR },
    );
  }
  return true;
}

async function writePasswordFile(file: string, password: string): Promise<void> {
  try {
    // a new file, created 600: an old one may have a looser mode, which writeFile would keep
    await rm(file, { force: true });
    await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new ConfigError([
      `ADMIN_PASSWORD_FILE: cannot write the first operator's password to ${file} (${(error as Error).message}); set it to a writable path, or empty to have it logged once`,
    ]);
  }
}
