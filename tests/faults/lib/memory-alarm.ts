import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

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
    const { stdout } = await run('rabbitmqctl', [
      '-q',
      'eval',
      'vm_memory_monitor:get_vm_memory_high_watermark().',
    ]);
    this.original = stdout.trim();
    process.on('exit', this.onExit);
    await run('rabbitmqctl', ['set_vm_memory_high_watermark', '0'], { timeout: 30_000 });
  }

  async clear(): Promise<void> {
    if (this.original === undefined) return;
    await run('rabbitmqctl', ['set_vm_memory_high_watermark', this.original], { timeout: 30_000 });
    this.original = undefined;
    process.off('exit', this.onExit);
  }

  private clearSync(): void {
    if (this.original === undefined) return;
    try {
      execFileSync('rabbitmqctl', ['set_vm_memory_high_watermark', this.original], {
        stdio: 'ignore',
        timeout: 30_000,
      });
    } catch {
      // nothing more can be done while exiting
    }
  }
}
