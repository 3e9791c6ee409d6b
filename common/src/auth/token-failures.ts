/**
 * Failed token checks per client address, in fixed windows: past `limit` failures in a window an
 * address's wrong tokens are answered 429 with Retry-After until the window ends. A right token
 * is never counted nor refused here, so a service sharing an address with a guesser keeps
 * working. Bounded: at most `maxAddresses` addresses are remembered, the oldest forgotten first.
 */
export class TokenFailures {
  private readonly windows = new Map<string, { failures: number; endsAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxAddresses = 10_000,
  ) {}

  /** Counts one failure of `address`; seconds it must wait when that was one too many, else 0. */
  fail(address: string, now = Date.now()): number {
    let window = this.windows.get(address);
    if (!window || window.endsAt <= now) {
      this.windows.delete(address);
      window = { failures: 0, endsAt: now + this.windowMs };
      this.windows.set(address, window);
      this.forgetOldest();
    }
    window.failures += 1;
    return window.failures > this.limit ? Math.ceil((window.endsAt - now) / 1000) : 0;
  }

  private forgetOldest(): void {
    // insertion order is window start order: the first entries are the oldest windows
    for (const address of this.windows.keys()) {
      if (this.windows.size <= this.maxAddresses) return;
      this.windows.delete(address);
    }
  }
}
