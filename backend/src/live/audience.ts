/** How often an instance with viewers says so to the others. */
export const ANNOUNCE_INTERVAL_MS = 1000;
/** How long one announcement counts: three missed in a row, and that instance's viewers are gone. */
export const ANNOUNCEMENT_TTL_MS = 3 * ANNOUNCE_INTERVAL_MS;

export interface AudienceOptions {
  /** Tells the other instances that this one has viewers (a `watching` notice). */
  announce(): void;
  /** Whether another instance's viewers count now (for the metric). */
  onElsewhereChanged(watched: boolean): void;
  announceIntervalMs?: number;
  ttlMs?: number;
}

/**
 * Whether anyone watches the live task stream, here or on another instance. Reading back and
 * publishing every committed task change costs the API about a tenth of its CPU, for nobody when
 * no page is open (the usual case under load). An instance with viewers announces it at once and
 * then every second; the others publish notices only while they have heard such an announcement
 * within the last three seconds. A change committed before an announcement arrived reaches the
 * new viewers through the feed's catch-up, as a lost notice does.
 */
export class Audience {
  private viewersHere = 0;
  private heardUntil = 0;
  private reportedElsewhere = false;
  private readonly timer: NodeJS.Timeout;
  private readonly ttlMs: number;

  constructor(private readonly options: AudienceOptions) {
    this.ttlMs = options.ttlMs ?? ANNOUNCEMENT_TTL_MS;
    this.timer = setInterval(() => {
      this.announceIfWatched();
      this.report();
    }, options.announceIntervalMs ?? ANNOUNCE_INTERVAL_MS);
    this.timer.unref();
  }

  /** This instance's viewer count changed: its first viewer is announced at once. */
  viewersChanged(open: number): void {
    const first = this.viewersHere === 0 && open > 0;
    this.viewersHere = open;
    if (first) this.options.announce();
  }

  /** Another instance announced viewers. */
  heardFromElsewhere(): void {
    this.heardUntil = Date.now() + this.ttlMs;
    this.report();
  }

  /** Whether another instance has announced viewers recently enough. */
  get elsewhere(): boolean {
    return Date.now() < this.heardUntil;
  }

  /** Whether any instance's viewers may want this instance's changes. */
  get anyone(): boolean {
    return this.viewersHere > 0 || this.elsewhere;
  }

  /** Announces now if this instance has viewers (after a reconnect to the broker, say). */
  announceIfWatched(): void {
    if (this.viewersHere > 0) this.options.announce();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private report(): void {
    const elsewhere = this.elsewhere;
    if (elsewhere === this.reportedElsewhere) return;
    this.reportedElsewhere = elsewhere;
    this.options.onElsewhereChanged(elsewhere);
  }
}
