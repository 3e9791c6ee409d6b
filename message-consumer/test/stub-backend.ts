import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, type TaskStatusUpdate } from '@retro/common';
import { type BackendClient, createBackendClient } from '../src/data-access/backend-client.js';
import { DownstreamError } from '../src/domain/failures.js';

export const TOKEN = 'client-test-token-0123456789';
export const logger = createLogger('backend-client-test', 'error');
export const processing: TaskStatusUpdate = { status: 'processing', type: 'custom', attempts: 1 };

export type Write = TaskStatusUpdate & { messageId: string };
export interface Received {
  url: string;
  authorization: string | undefined;
  writes: Write[];
}
type Answer = { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

/** A stand-in for the backend's batch endpoint: records each request, answers as told. */
export class StubBackend {
  readonly received: Received[] = [];
  /** Default: applies every write. */
  answer: (request: Received) => Answer = (request) => ({
    status: 200,
    body: { results: request.writes.map(applied) },
  });
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer(async (req, res) => {
      const request = await read(req);
      this.received.push(request);
      const { status, body } = await this.answer(request);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function read(req: IncomingMessage): Promise<Received> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  const body = (text ? JSON.parse(text) : {}) as { updates?: Write[] };
  return { url: req.url!, authorization: req.headers.authorization, writes: body.updates ?? [] };
}

export const applied = (write: Write) => ({
  messageId: write.messageId,
  applied: true,
  task: { messageId: write.messageId, status: write.status, attempts: write.attempts },
});

export const refusal = (status: number) => ({
  status,
  body: { error: { code: 'X', message: `refused with ${status}`, details: [] } },
});

/** Settles every promise and says, for each, its result or the class (and kind) of its error. */
export async function outcomes(promises: Promise<unknown>[]) {
  return (await Promise.allSettled(promises)).map((p) => {
    if (p.status === 'fulfilled') return 'ok';
    const error = p.reason as Error;
    return error instanceof DownstreamError ? `downstream:${error.kind}` : error.constructor.name;
  });
}

/**
 * Each test's stub backend and the client under test: `start(options)` makes the client,
 * the stub is fresh for every test and both are stopped after it.
 */
export function useStubBackend() {
  const ctx = {
    stub: undefined as unknown as StubBackend,
    url: '',
    client: undefined as BackendClient | undefined,
    start(options: { batchWindowMs?: number; maxBatch?: number; retries?: number } = {}) {
      return (ctx.client = createBackendClient({
        baseUrl: ctx.url,
        token: TOKEN,
        logger,
        ...options,
      }));
    },
  };
  beforeEach(async () => {
    ctx.stub = new StubBackend();
    ctx.url = await ctx.stub.start();
  });
  afterEach(async () => {
    ctx.client?.close();
    ctx.client = undefined;
    await ctx.stub.stop();
  });
  return ctx;
}
