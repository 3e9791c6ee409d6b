import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { asRoot } from './as-root.js';

const run = promisify(execFile);

function rabbitmqctl(args: string[], timeout = 60_000) {
  const [command, all] = asRoot('rabbitmqctl', args);
  return run(command, all, { timeout });
}

/**
 * Raises RabbitMQ's memory alarm for real: a high watermark of 0 makes the broker block every
 * connection that publishes, as it does when it runs out of memory. The original watermark is set
 * again by `clear()`, and synchronously if the process exits or is interrupted first, so a failed
 * run never leaves the shared broker refusing publishes.
 */
export class MemoryAlarm {
  private original: string | undefined;
  private readonly onExit = () => this.clearSync();

  /** Blocks publishing connections; resolves once the broker reports the alarm. */
  async raise(): Promise<void> {
    const { stdout } = await rabbitmqctl([
      '-q',
      'eval',
      'vm_memory_monitor:get_vm_memory_high_watermark().',
    ]);
    this.original = stdout.trim();
    process.on('exit', this.onExit);
    await rabbitmqctl(['set_vm_memory_high_watermark', '0'], 30_000);
  }

  async clear(): Promise<void> {
    if (this.original === undefined) return;
    await rabbitmqctl(['set_vm_memory_high_watermark', this.original], 30_000);
    this.original = undefined;
    process.off('exit', this.onExit);
  }

  private clearSync(): void {
    if (this.original === undefined) return;
    try {
      execFileSync(...asRoot('rabbitmqctl', ['set_vm_memory_high_watermark', this.original]), {
        stdio: 'ignore',
        timeout: 30_000,
      });
    } catch {
      // nothing more can be done while exiting
    }
  }
}
