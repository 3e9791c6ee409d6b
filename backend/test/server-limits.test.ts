import { connect, type Socket } from 'node:net';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { createGame, openTaskStream, startTestEnv, type TestEnv } from './helpers.js';

const HEADERS_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 2000;
const MAX_CONNECTIONS = 4;

/** A raw connection to `url`'s port, with what it received and whether the server closed it. */
function rawConnection(url: string) {
  const socket: Socket = connect(Number(new URL(url).port), '127.0.0.1');
  const state = { received: '', closed: false, socket };
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (state.received += chunk));
  socket.on('error', () => undefined);
  socket.on('close', () => (state.closed = true));
  return state;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every HTTP server is built by createLimitedServer; the backend's, with the live stream, is tested here. */
describe('HTTP server limits: timeouts and the connection cap', function () {
  this.timeout(30_000);
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('server_limits', {
      config: {
        HTTP_HEADERS_TIMEOUT_MS: HEADERS_TIMEOUT_MS,
        HTTP_REQUEST_TIMEOUT_MS: REQUEST_TIMEOUT_MS,
        HTTP_MAX_CONNECTIONS: MAX_CONNECTIONS,
      },
    });
  });
  after(async () => env?.cleanup());

  it('when a client sends its headers slowly (slowloris), then it is cut with 408 after the headers timeout', async () => {
    const slow = rawConnection(env.backend.url);
    const started = Date.now();
    slow.socket.write('GET /api/games HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // one header line every 200 ms, never the blank line that ends them
    for (let i = 0; !slow.closed && Date.now() - started < 10_000; i++) {
      slow.socket.write(`X-Slow-${i}: ${'a'.repeat(10)}\r\n`);
      await sleep(200);
    }
    expect(slow.closed, 'the server closed the connection').to.equal(true);
    expect(Date.now() - started).to.be.within(HEADERS_TIMEOUT_MS, HEADERS_TIMEOUT_MS * 3);
    expect(slow.received).to.match(/^HTTP\/1\.1 408/);
  });

  it('when a client sends a body slowly, then it is cut after the request timeout', async () => {
    const slow = rawConnection(env.backend.url);
    const started = Date.now();
    slow.socket.write(
      'POST /api/games HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{',
    );
    for (; !slow.closed && Date.now() - started < 10_000;) {
      slow.socket.write(' ');
      await sleep(200);
    }
    expect(slow.closed).to.equal(true);
    expect(Date.now() - started).to.be.within(REQUEST_TIMEOUT_MS, REQUEST_TIMEOUT_MS * 3);
  });

  it('when a live stream stays open past the request timeout, then it is not cut and still delivers', async () => {
    const stream = await openTaskStream(env.backend.url);
    try {
      await sleep(REQUEST_TIMEOUT_MS * 2);
      const gameId = await createGame(env, 'Still streaming');
      await waitFor('the new task on the stream opened before the timeout', () =>
        stream.tasks().some((t) => t.gameId === gameId),
      );
    } finally {
      await stream.close();
    }
  });

  it('when more connections than the cap are open, then the next one is closed on arrival, and accepted again once one closes', async () => {
    // other connections of this file (the test client's kept-alive ones) may count too
    const held = Array.from({ length: MAX_CONNECTIONS + 2 }, () => rawConnection(env.backend.url));
    await waitFor('the connections over the cap to be closed', () =>
      held.filter((c) => c.closed).length >= 2 ? true : undefined,
    );
    await sleep(300);
    const refused = held.filter((c) => c.closed);
    expect(refused.every((c) => c.received === '')).to.equal(true);
    expect(held.length - refused.length).to.be.at.most(MAX_CONNECTIONS);

    for (const c of held) c.socket.destroy();
    await waitFor('a connection to be accepted again', async () => {
      const again = rawConnection(env.backend.url);
      again.socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      await sleep(200);
      again.socket.destroy();
      return again.received.startsWith('HTTP/1.1 200') ? true : undefined;
    });
  });
});
