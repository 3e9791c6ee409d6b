import type { MessageProperties } from 'amqplib';

/** One delivery as the policy sees it: what arrived, and the two ways to let go of it. */
export interface Delivery {
  content: Buffer;
  properties: MessageProperties;
  /** Done with it: the broker forgets it. */
  ack(): void;
  /** Back to the queue unchanged, for this or another consumer; spends no retry. */
  handBack(): void;
}

/**
 * What a copy adds to the original: headers on top of the original ones. A copy never carries a
 * per-message TTL: a retry waits for its tier queue's TTL, and a parked copy never expires.
 */
export interface CopyExtras {
  headers: Record<string, unknown>;
  /**
   * Keep only the original's headers within DELIVERY_LIMITS (the copy of a delivery beyond them),
   * so that the copy is within them, whatever the original carried.
   */
  withinLimits?: boolean;
}

/** Publishes a copy of a delivery; resolves only once the broker has routed and confirmed it. */
export type PublishCopy = (queue: string, delivery: Delivery, extra: CopyExtras) => Promise<void>;

/** How one delivery ended. Emitted as `settled` after the broker has the outcome. */
export interface Settlement {
  /** Null for poison that carried no id. */
  messageId: string | null;
  /**
   * `completed`: this delivery finished its task. `duplicate`: the task was already finished.
   * `retried`: sent to a retry tier queue. `parked`: sent to the DLQ and its task marked failed.
   * `deferred`: its game had deliveries waiting, so it went round a retry tier (no retry
   * spent). `requeued`: handed back to the queue (backend unavailable, shutdown, or the broker
   * did not take a copy).
   */
  outcome: 'completed' | 'duplicate' | 'retried' | 'parked' | 'deferred' | 'requeued';
  /** `x-retry-count` of the delivery that settled. */
  retryCount: number;
  /** For `retried` and `deferred`: how long the copy waits (its tier's TTL). */
  delayMs?: number;
  /** For `retried` and `deferred`: the tier queue the copy went to. */
  queue?: string;
  /** For `retried`, `parked` and a `requeued` caused by a failure: the error. */
  reason?: string;
}
