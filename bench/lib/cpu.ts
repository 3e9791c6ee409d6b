import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc; 0 if it is not there. */
export function processCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Oldest process whose name is exactly `name` (e.g. mariadbd, beam.smp), if any. */
export function pidOf(name: string): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-o', '-x', name], { encoding: 'utf8' }).trim();
    return out ? Number(out) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU used during a stretch of work by this process (named `self`), MariaDB, RabbitMQ and any
 * other process named in `extra`, in milliseconds per event: where the machine's cores went.
 */
export class CpuMeter {
  private readonly pids: Record<string, number>;
  private readonly start: Record<string, number>;

  constructor(extra: Record<string, number> = {}, self = 'node') {
    const found = { mariadb: pidOf('mariadbd') ?? pidOf('mysqld'), rabbitmq: pidOf('beam.smp') };
    this.pids = { [self]: process.pid, ...extra };
    for (const [name, pid] of Object.entries(found)) if (pid) this.pids[name] = pid;
    this.start = this.sample();
  }

  private sample(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.pids).map(([name, pid]) => [name, processCpuSeconds(pid)]),
    );
  }

  /** Milliseconds of CPU per event since construction, per process. */
  perEvent(events: number): Record<string, number> {
    const end = this.sample();
    return Object.fromEntries(
      Object.keys(this.pids).map((name) => [
        name,
        Number((((end[name]! - this.start[name]!) * 1000) / events).toFixed(2)),
      ]),
    );
  }
}
