/**
 * Calls `tick` every `intervalMs` while the page is visible; a hidden page skips its ticks and
 * gets one as soon as it is shown again. For state that changes without any event to announce it
 * (a task turns stalled just by waiting), where a background tab need not keep asking.
 */
export class VisibleInterval {
  private timer: ReturnType<typeof setInterval> | undefined;
  private missed = false;

  constructor(
    private readonly tick: () => void,
    private intervalMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(this.onTimer, this.intervalMs);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.missed = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Changes the period; a running interval restarts with it. */
  every(intervalMs: number): void {
    if (intervalMs === this.intervalMs) return;
    this.intervalMs = intervalMs;
    if (!this.timer) return;
    this.stop();
    this.start();
  }

  private readonly onTimer = () => {
    if (document.hidden) this.missed = true;
    else this.tick();
  };

  private readonly onVisibility = () => {
    if (document.hidden || !this.missed) return;
    this.missed = false;
    this.tick();
  };
}
