/**
 * A command that controls the machine's own broker or database, as root: directly when this
 * process is root (CI), else through `sudo -n`, which never prompts (`./run-tests` asked for the
 * password once at its start). The tests themselves stay the user's, and so do their files.
 */
export function asRoot(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? [command, args] : ['sudo', ['-n', command, ...args]];
}
