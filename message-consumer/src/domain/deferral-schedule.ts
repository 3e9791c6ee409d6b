/** Longest a deferred message stays away (before it is rounded up to a retry tier). */
export const MAX_DEFER_MS = 60_000;

/**
 * When the deferred deliveries of one game should come back. A game runs one delivery at a time,
 * so its backlog drains one `stepMs` (the work per message) at a time: each deferral is due one
 * step after the one before it, and they come back about when their turn comes instead of all at
 * once. Capped at MAX_DEFER_MS; a game is forgotten once its last deferral is due.
 *
 * Only this consumer's deferrals are known; with several consumers a game's deferrals may come
 * back a little early, and are simply deferred again.
 */
export class DeferralSchedule {
  private readonly lastDue = new Map<string, number>();

  constructor(private readonly stepMs: number) {}

  /** How long to defer the next delivery of `key`, in ms. */
  next(key: string, now = Date.now()): number {
    for (const [k, due] of this.lastDue) if (due <= now) this.lastDue.delete(k);
    const due = Math.min(
      Math.max(now, this.lastDue.get(key) ?? now) + this.stepMs,
      now + MAX_DEFER_MS,
    );
    this.lastDue.set(key, due);
    return due - now;
  }
}
