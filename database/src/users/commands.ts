import {
  type AuditEvent,
  type AuditOrigin,
  addAccount,
  createToken,
  listAccounts,
  passwordSchema,
  recordAudit,
  resetPassword,
  revokeTokens,
  setEnabled,
  setRole,
} from '@retro/common';
import type { Pool } from 'mysql2/promise';
import { type Command, UsageError } from './args.js';
import { accountTable } from './table.js';

/** What a command talks to besides the database. */
export interface UsersIo {
  /** One line of standard output. */
  out(line: string): void;
  /** Everything on standard input (read only for --password-stdin). */
  readStdin(): Promise<string>;
  /** The system user running the command, for the audit trail (no account signs in here). */
  osUser: string;
}

export type AccountCommand = Exclude<Command, { name: 'help' }>;

/** A password given on standard input: one line, its line end not part of it. */
async function passwordFromStdin(io: UsersIo): Promise<string> {
  const password = (await io.readStdin()).replace(/\r?\n$/, '');
  const checked = passwordSchema.safeParse(password);
  if (!checked.success) {
    throw new UsageError(
      `the password on standard input is not usable: ${checked.error.issues[0]!.message}`,
    );
  }
  return password;
}

/** Prints a secret alone on the last line, so a script can take it with `tail -n 1`. */
function showOnce(io: UsersIo, what: string, secret: string) {
  io.out(`${what}, shown only this once:`);
  io.out(secret);
}

/** Runs one command; errors (AppError, UsageError) leave the database as it was. */
export async function runCommand(pool: Pool, command: AccountCommand, io: UsersIo): Promise<void> {
  const origin: AuditOrigin = {
    service: 'users-cli',
    actor: null,
    role: null,
    requestId: null,
    clientIp: null,
  };
  const audit = ({ detail, ...event }: AuditEvent) =>
    recordAudit(pool, origin, {
      ...event,
      detail: { ...(detail as object | undefined), osUser: io.osUser },
    });
  switch (command.name) {
    case 'list':
      accountTable(await listAccounts(pool)).forEach((line) => io.out(line));
      return;
    case 'add': {
      const given = command.passwordStdin ? await passwordFromStdin(io) : undefined;
      const password = await addAccount(pool, command.username, command.role, given);
      await audit({
        action: 'account-add',
        target: `account:${command.username}`,
        detail: { role: command.role },
      });
      const what = `added ${command.username} (${command.role})`;
      if (given === undefined) showOnce(io, `${what}; its password`, password);
      else io.out(`${what} with the password from standard input`);
      return;
    }
    case 'set-role':
      await setRole(pool, command.username, command.role);
      await audit({
        action: 'account-role',
        target: `account:${command.username}`,
        detail: { role: command.role },
      });
      io.out(`${command.username} is now ${command.role}`);
      return;
    case 'disable':
    case 'enable': {
      const enabled = command.name === 'enable';
      await setEnabled(pool, command.username, enabled);
      await audit({ action: `account-${command.name}`, target: `account:${command.username}` });
      io.out(
        enabled
          ? `${command.username} is enabled`
          : `${command.username} is disabled: its sessions ended, its tokens no longer work`,
      );
      return;
    }
    case 'reset-password': {
      const given = command.passwordStdin ? await passwordFromStdin(io) : undefined;
      const password = await resetPassword(pool, command.username, given);
      await audit({ action: 'password-reset', target: `account:${command.username}` });
      const what = `${command.username} has a new password and no open session`;
      if (given === undefined) showOnce(io, `${what}; the password`, password);
      else io.out(`${what} (the one from standard input)`);
      return;
    }
    case 'token': {
      const { id, token } = await createToken(pool, command.username, command.label);
      await audit({
        action: 'token-create',
        target: `account:${command.username}`,
        detail: { tokenId: id, label: command.label },
      });
      showOnce(
        io,
        `token ${id} of ${command.username}${command.label ? ` (${command.label})` : ''}; send it as "Authorization: Bearer <token>"`,
        token,
      );
      return;
    }
    case 'revoke': {
      const revoked = await revokeTokens(pool, command.username, command.tokenId);
      if (command.tokenId !== undefined && revoked === 0) {
        throw new UsageError(`${command.username} has no active token ${command.tokenId}`);
      }
      if (revoked > 0) {
        await audit({
          action: 'token-revoke',
          target: `account:${command.username}`,
          detail: { tokenId: command.tokenId ?? null, revoked },
        });
      }
      io.out(
        `revoked ${revoked} token${revoked === 1 ? '' : 's'} of ${command.username}; requests with ${revoked === 1 ? 'it' : 'them'} are refused within a second`,
      );
      return;
    }
  }
}
