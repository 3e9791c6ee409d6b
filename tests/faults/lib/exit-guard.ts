/**
 * Runs `cleanup` (synchronous: nothing asynchronous runs any more) when the process exits, or is
 * interrupted with SIGINT/SIGTERM, while the guard is armed. A suite arms it before it changes
 * something shared (stops the broker, starts a cluster) and releases it once it has put things
 * back, so a failing or aborted run never leaves the change behind.
 */
export class ExitGuard {
  private armed = false;
  private readonly onExit = () => this.runCleanup();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.runCleanup();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  constructor(private readonly cleanup: () => void) {}

  arm(): void {
    if (this.armed) return;
    this.armed = true;
    process.on('exit', this.onExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  release(): void {
    this.armed = false;
    process.off('exit', this.onExit);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  private runCleanup(): void {
    if (!this.armed) return;
    this.armed = false;
    try {
      this.cleanup();
    } catch {
      // nothing more can be done while exiting; the error would hide the original failure
    }
  }
}
