import { parseArgs } from 'node:util';
import { ROLES, type Role, isRole, usernameSchema } from '@retro/common';

/** A mistake on the command line: said in one line, nothing is changed. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export type Command =
  | { name: 'help' }
  | { name: 'add'; username: string; role: Role; passwordStdin: boolean }
  | { name: 'list' }
  | { name: 'set-role'; username: string; role: Role }
  | { name: 'disable' | 'enable'; username: string }
  | { name: 'reset-password'; username: string; passwordStdin: boolean }
  | { name: 'token'; username: string; label: string | null }
  | { name: 'revoke'; username: string; tokenId: number | undefined };

export const USAGE = `Usage: npm run users -- <command>

Manages the accounts people sign in with (database from DB_* in .env or the environment).

Commands:
  add NAME --role ROLE [--password-stdin]
      Creates an account. Its password is generated and printed once, or read from standard
      input with --password-stdin (at least 10 characters).
  list
      Every account: name, role, enabled, last sign-in, active tokens.
  set-role NAME ROLE
      Gives an account another role.
  disable NAME | enable NAME
      A disabled account cannot sign in; its sessions and tokens stop working within a second.
  reset-password NAME [--password-stdin]
      Sets a new password (generated and printed once, or read from standard input) and ends
      the account's sessions.
  token NAME [--label LABEL]
      Creates a personal API token (Authorization: Bearer ...), printed once alone on the last
      line of the output. The line above names its id.
  revoke NAME [TOKEN_ID]
      Revokes one token of the account, or all of them.

Roles, each allowed what the ones before it are: ${ROLES.join(', ')}.
The last enabled operator can be neither demoted nor disabled.
Every error is one line on standard error, with exit status 1; nothing is changed then.`;

const ARITY: Record<Exclude<Command['name'], 'help'>, [number, number]> = {
  add: [1, 1],
  list: [0, 0],
  'set-role': [2, 2],
  disable: [1, 1],
  enable: [1, 1],
  'reset-password': [1, 1],
  token: [1, 1],
  revoke: [1, 2],
};

/** The options each command takes; any other is a usage error. */
const OPTIONS: Partial<Record<Command['name'], string[]>> = {
  add: ['role', 'password-stdin'],
  'reset-password': ['password-stdin'],
  token: ['label'],
};

function username(value: string): string {
  if (!usernameSchema.safeParse(value).success) {
    throw new UsageError(
      `bad account name ${JSON.stringify(value)}: letters, digits, dots, dashes and underscores, starting with a letter or digit, at most 64`,
    );
  }
  return value;
}

function role(value: string | undefined): Role {
  if (value === undefined) throw new UsageError('add needs --role ROLE');
  if (!isRole(value)) {
    throw new UsageError(`unknown role ${JSON.stringify(value)}: one of ${ROLES.join(', ')}`);
  }
  return value;
}

function tokenId(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const id = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`bad token id ${JSON.stringify(value)}: a positive whole number`);
  }
  return id;
}

/** Reads `users` arguments (after the script name). */
export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        role: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        label: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (--help lists the commands)`);
  }
  const { values, positionals } = parsed;
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return { name: 'help' };
  if (name === undefined) throw new UsageError('a command is needed (--help lists them)');
  if (!(name in ARITY)) {
    throw new UsageError(`unknown command ${JSON.stringify(name)} (--help lists them)`);
  }
  const command = name as keyof typeof ARITY;
  const [min, max] = ARITY[command];
  if (rest.length < min || rest.length > max) {
    throw new UsageError(`wrong number of arguments for ${command} (--help shows its form)`);
  }
  const allowed = OPTIONS[command] ?? [];
  for (const option of Object.keys(values)) {
    if (!allowed.includes(option)) throw new UsageError(`${command} takes no --${option}`);
  }
  const passwordStdin = values['password-stdin'] === true;
  switch (command) {
    case 'list':
      return { name: 'list' };
    case 'add':
      return { name: 'add', username: username(rest[0]!), role: role(values.role), passwordStdin };
    case 'set-role':
      return { name: 'set-role', username: username(rest[0]!), role: role(rest[1]) };
    case 'disable':
    case 'enable':
      return { name: command, username: username(rest[0]!) };
    case 'reset-password':
      return { name: 'reset-password', username: username(rest[0]!), passwordStdin };
    case 'token': {
      const label = values.label ?? null;
      if (label !== null && (label.length < 1 || label.length > 100)) {
        throw new UsageError('a token label has 1 to 100 characters');
      }
      return { name: 'token', username: username(rest[0]!), label };
    }
    case 'revoke':
      return { name: 'revoke', username: username(rest[0]!), tokenId: tokenId(rest[1]) };
  }
}
