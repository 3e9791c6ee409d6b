import { createServer } from 'node:http';
import { type QueueNames, createLogger, listen } from '@retro/common';
import { expect } from 'chai';
import { BrokerProbe, testQueues, waitFor } from '@retro/common/testing';
import { type ProducerOptions, type RunningProducer, startProducer } from '../src/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
type Answer = any;

export interface Harness {
  producer: RunningProducer;
  probe: BrokerProbe;
  queues: QueueNames;
  /** POSTs JSON (or a raw string body) and returns status and parsed answer. */
  post(path: string, body: unknown): Promise<{ status: number; body: Answer }>;
  get(path: string): Promise<{ status: number; body: Answer }>;
  close(): Promise<void>;
}

/** A producer on port 0 with its own queues, and a probe to look into them. */
export async function startHarness(
  prefix: string,
  options: ProducerOptions = {},
  { waitForBroker = true } = {},
): Promise<Harness> {
  const queues = testQueues(prefix);
  const logger = createLogger('message-producer', 'warn');
  logger.silent = !process.env.TEST_LOGS; // 503s are expected here; TEST_LOGS=1 shows them
  const producer = await startProducer({
    queues,
    rateLimit: false,
    logger,
    ...options,
    config: { PRODUCER_PORT: 0, LOG_LEVEL: 'error', ...options.config },
  });
  const probe = await BrokerProbe.open();
  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(producer.url + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  if (waitForBroker) {
    await waitFor(
      'the producer to reach the broker',
      async () => (await request('GET', '/ready')).status === 200,
    );
    // reading the stats declares the queues, so a test may put messages into them directly
    expect((await request('GET', '/api/queues')).status).to.equal(200);
  }
  return {
    producer,
    probe,
    queues,
    post: (path, body) => request('POST', path, body),
    get: (path) => request('GET', path),
    async close() {
      await producer.stop();
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
    },
  };
}

export interface TaskLookupStub {
  url: string;
  /** Paths asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Stands in for the backend's task lookup (`GET /api/tasks/:id`): answers every request with the
 * status `answer` gives (404 = no such task), or never answers at all for `'hang'`.
 */
export async function startTaskLookupStub(
  answer: () => number | 'hang' = () => 404,
): Promise<TaskLookupStub> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const status = answer();
    if (status !== 'hang') res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
  });
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections(); // a hanging request would hold the server open
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
