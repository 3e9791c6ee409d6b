import type { Broker } from '../data-access/broker.js';
import type { ProducerMetrics } from '../metrics.js';
import type { MessageKind, OutgoingMessage } from './messages.js';

/** Publishes to the main queue and counts the outcome; resolves only after the broker confirmed. */
export class Publisher {
  constructor(
    private readonly broker: Broker,
    private readonly metrics: ProducerMetrics,
  ) {}

  get queue(): string {
    return this.broker.queues.main;
  }

  isConnected(): boolean {
    return this.broker.isConnected();
  }

  async publish(kind: MessageKind, message: OutgoingMessage): Promise<void> {
    this.metrics.published.inc({ kind });
    try {
      await this.broker.publish(this.queue, message);
    } catch (error) {
      this.metrics.failed.inc({ kind });
      throw error;
    }
    this.metrics.confirmed.inc({ kind });
  }
}
