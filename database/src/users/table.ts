import type { AccountRow } from '@retro/common';

const HEADER = ['NAME', 'ROLE', 'ENABLED', 'LAST SIGN-IN (UTC)', 'TOKENS'];

const when = (at: Date | null) => (at ? at.toISOString().slice(0, 16).replace('T', ' ') : 'never');

/** `users list`: one aligned line per account under a header. */
export function accountTable(accounts: AccountRow[]): string[] {
  if (accounts.length === 0) return ['no accounts yet (npm run migrate creates the first one)'];
  const rows = accounts.map((a) => [
    a.username,
    a.role,
    a.enabled ? 'yes' : 'no',
    when(a.lastLoginAt),
    String(a.tokens),
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [HEADER, ...rows].map((cells) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
}
