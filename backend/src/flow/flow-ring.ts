import type { FlowSample } from '@retro/common';

/**
 * The last `capacity` samples, oldest first, in a fixed array: memory stays bounded however long
 * the replica runs, and a viewer's `since` is answered by a binary search.
 */
export class FlowRing {
  private readonly slots: (FlowSample | undefined)[];
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
    this.slots = new Array<FlowSample | undefined>(capacity);
  }

  /** Adds a sample; one not newer than the last is dropped, so `at` always increases. */
  push(sample: FlowSample): void {
    const last = this.last();
    if (last && sample.at <= last.at) return;
    this.slots[this.next] = sample;
    this.next = (this.next + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  last(): FlowSample | undefined {
    return this.size === 0 ? undefined : this.at(this.size - 1);
  }

  /** The samples taken after `since` (all of them without it), oldest first. */
  since(since?: number): FlowSample[] {
    let low = 0;
    let high = this.size;
    if (since !== undefined) {
      while (low < high) {
        const mid = (low + high) >> 1;
        if (this.at(mid).at <= since) low = mid + 1;
        else high = mid;
      }
    }
    const out: FlowSample[] = [];
    for (let i = low; i < this.size; i++) out.push(this.at(i));
    return out;
  }

  private at(index: number): FlowSample {
    const start = this.size < this.capacity ? 0 : this.next;
    return this.slots[(start + index) % this.capacity]!;
  }
}
