import http from 'node:http';
import { expect } from 'chai';
import express from 'express';
import { InFlightRequests, closeServer, listen } from '../src/http.js';

describe('in-flight requests at shutdown', () => {
  it('waits for a handler whose client has hung up before saying the server is drained', async () => {
    const inFlight = new InFlightRequests();
    let finishHandler!: () => void;
    const handlerDone = new Promise<void>((resolve) => (finishHandler = resolve));
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    const app = express();
    app.use(inFlight.middleware);
    app.get('/slow', async (_req, res) => {
      entered();
      await handlerDone; // e.g. a transaction still running
      res.json({ ok: true });
    });
    const server = http.createServer(app);
    const port = await listen(server, 0, '127.0.0.1');

    const controller = new AbortController();
    const request = fetch(`http://127.0.0.1:${port}/slow`, { signal: controller.signal }).catch(
      () => 'aborted',
    );
    await handlerEntered;
    controller.abort();
    expect(await request).to.equal('aborted');
    await closeServer(server); // the socket is gone, so the server closes at once...
    expect(inFlight.size).to.equal(1); // ...while the handler still runs

    let drained = false;
    const drain = inFlight.drain(10_000).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(drained).to.equal(false);
    finishHandler();
    await drain;
    expect(inFlight.size).to.equal(0);
  });
});
