// The per-service broker users deploy/rabbitmq/accounts.sh creates, read from the script.
import { readText } from './repo.js';

export const ACCOUNTS_SCRIPT = 'deploy/rabbitmq/accounts.sh';

export interface Permissions {
  configure: RegExp;
  write: RegExp;
  read: RegExp;
  /** The regexes as written: configure, write, read. */
  text: [string, string, string];
}

/** `account "$RABBITMQ_X_USER" "$RABBITMQ_X_PASS" 'configure' 'write' 'read'`, by user variable. */
export function accountsInScript(): Map<string, Permissions> {
  const script = readText(ACCOUNTS_SCRIPT);
  const accounts = new Map<string, Permissions>();
  const call =
    /^account "\$(RABBITMQ_[A-Z]+_USER)" "\$RABBITMQ_[A-Z]+_PASS" \\\n\s+'([^']+)' \\\n\s+'([^']+)' \\\n\s+'([^']+)'$/gm;
  for (const [, variable, configure, write, read] of script.matchAll(call)) {
    accounts.set(variable!, {
      configure: new RegExp(configure!),
      write: new RegExp(write!),
      read: new RegExp(read!),
      text: [configure!, write!, read!],
    });
  }
  return accounts;
}
