import { execFileSync } from 'node:child_process';
import os from 'node:os';

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')
      .pop()!;
  } catch {
    return 'unknown';
  }
}

/** What the figures were measured on. */
export function describeMachine() {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
    node: process.version,
    mariadb: run('mysql', [
      '-N',
      '-h',
      process.env.DB_HOST ?? '127.0.0.1',
      '-u',
      'root',
      '-e',
      'SELECT VERSION()',
    ]),
    rabbitmq: run('rabbitmqctl', ['version']),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
}
