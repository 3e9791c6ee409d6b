import { JOURNEY_NOTES_PER_REPORT, type JourneyNote, type JourneyStage } from '@retro/common';

/** Most messages with steps waiting; the oldest are dropped beyond (their message went elsewhere). */
const MAX_MESSAGES = 10_000;

type Detail = NonNullable<JourneyNote['detail']>;

/**
 * The consumer's steps with each message (its journey), held until the next status report about
 * that message takes them to the backend, which writes them in the transaction of the report: the
 * journey costs no request of its own. A step with no report after it (a message handed back or
 * deferred, then delivered to another consumer) waits here until dropped.
 */
export class JourneyNotes {
  private readonly waiting = new Map<string, JourneyNote[]>();

  constructor(private readonly instance: string) {}

  note(messageId: string | null, stage: JourneyStage, detail: Detail = {}): void {
    if (messageId === null) return;
    const notes = this.waiting.get(messageId);
    const entry: JourneyNote = {
      at: new Date().toISOString(),
      stage,
      instance: this.instance,
      detail,
    };
    if (notes) {
      // a message bouncing here keeps its latest steps
      if (notes.length >= JOURNEY_NOTES_PER_REPORT) notes.shift();
      notes.push(entry);
      return;
    }
    this.waiting.set(messageId, [entry]);
    if (this.waiting.size > MAX_MESSAGES) {
      this.waiting.delete(this.waiting.keys().next().value!);
    }
  }

  /** The steps waiting for `messageId`, now in the caller's report. */
  take(messageId: string): JourneyNote[] | undefined {
    const notes = this.waiting.get(messageId);
    this.waiting.delete(messageId);
    return notes;
  }

  /** Puts back steps a report did not take after all, before any noted since. */
  restore(messageId: string, notes: JourneyNote[] | undefined): void {
    if (!notes?.length) return;
    const later = this.waiting.get(messageId) ?? [];
    this.waiting.set(messageId, [...notes, ...later].slice(-JOURNEY_NOTES_PER_REPORT));
  }
}
