import { byId } from '../lib/dom.js';
import { LiveTasks, type LiveOptions, type LiveMode } from '../lib/live.js';
import { VisibleInterval } from '../lib/visible-interval.js';

const AUTO_REFRESH_KEY = 'retro.processing.autoRefresh';
/** The longest the page goes without re-reading, so rows turn stalled on screen. */
const RECHECK_MS = 30_000;

const MODE_TEXT: Record<LiveMode, string> = {
  live: '● Live',
  reconnecting: '◌ Reconnecting… (polling meanwhile)',
  polling: '◌ Polling every 5 s',
  paused: '❚❚ Paused',
};

/**
 * The "Live updates" toggle (remembered in localStorage) and what it switches: the task stream,
 * with polling while it is down, and the periodic re-read that shows tasks turning stalled.
 */
export class LiveControls {
  private readonly state = byId('live-state');
  private readonly toggle = byId<HTMLInputElement>('auto-refresh');
  private readonly live: LiveTasks;
  private readonly recheck: VisibleInterval;

  constructor(options: Pick<LiveOptions, 'onTask' | 'onResync'>) {
    this.live = new LiveTasks({ ...options, onMode: (mode) => this.show(mode) });
    this.recheck = new VisibleInterval(options.onResync, RECHECK_MS);
    this.toggle.checked = localStorage.getItem(AUTO_REFRESH_KEY) !== 'off';
    this.toggle.addEventListener('change', () => {
      localStorage.setItem(AUTO_REFRESH_KEY, this.toggle.checked ? 'on' : 'off');
      if (this.toggle.checked) options.onResync(); // catch up on what happened while paused
      this.run(this.toggle.checked);
    });
  }

  /** Starts the live updates when the toggle is on. */
  start(): void {
    if (this.toggle.checked) this.run(true);
    else this.show('paused');
  }

  /** A task turns stalled by waiting, which no stream frame announces: re-read at least that often. */
  stalledAfter(ms: number): void {
    this.recheck.every(Math.min(RECHECK_MS, ms || RECHECK_MS));
  }

  private run(on: boolean): void {
    if (on) {
      this.live.start();
      this.recheck.start();
    } else {
      this.live.stop();
      this.recheck.stop();
    }
  }

  private show(mode: LiveMode): void {
    this.state.textContent = MODE_TEXT[mode];
    this.state.dataset.mode = mode;
  }
}
