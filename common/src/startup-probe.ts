import amqplib from 'amqplib';
import { DependencyError, describeUrl } from './startup-errors.js';

/**
 * Connects to RabbitMQ once and closes again, so a service that cannot reach it at start says so
 * in one line instead of retrying for ever. (Once running, the services ride out broker outages.)
 * With several URLs (a cluster), one that answers is enough; the last failure is reported.
 */
export async function probeBroker(urls: string, timeoutMs = 5000): Promise<void> {
  let failure: DependencyError | undefined;
  for (const url of urls
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean)) {
    try {
      const connection = await amqplib.connect(url, { timeout: timeoutMs });
      await connection.close().catch(() => undefined);
      return;
    } catch (cause) {
      const { target, user } = describeUrl(url);
      failure = new DependencyError('RabbitMQ', target, user, { cause });
    }
  }
  if (failure) throw failure;
}
