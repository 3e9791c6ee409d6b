import { expect } from 'chai';
import { startTestEnv, validGame, type TestEnv } from './helpers.js';

describe('graceful shutdown', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('shutdown');
  });
  after(async () => env.cleanup());

  it('answers every request it accepted while stopping, closes busy kept-alive connections after their response, and never answers 5xx', async () => {
    const statuses: number[] = [];
    let refused = 0;
    let running = true;
    const client = async (i: number) => {
      while (running) {
        try {
          const res = await fetch(`${env.backend.url}/api/games`, {
            method: i % 2 ? 'GET' : 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${env.accounts.editor.token}`,
            },
            body: i % 2 ? undefined : JSON.stringify(validGame({ title: `Shutdown ${i}` })),
          });
          await res.arrayBuffer();
          statuses.push(res.status);
        } catch {
          refused += 1; // the server stopped listening: the client gets no answer, not a wrong one
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const clients = Array.from({ length: 16 }, (_, i) => client(i));
    while (statuses.length < 200) await new Promise((r) => setTimeout(r, 10));
    const stopping = Date.now();
    await env.backend.stop();
    const stopMs = Date.now() - stopping;
    running = false;
    await Promise.all(clients);

    expect(
      statuses.filter((s) => s >= 500),
      `of ${statuses.length}`,
    ).to.deep.equal([]);
    expect(refused).to.be.greaterThan(0);
    // busy kept-alive connections were let go after their response, not cut by the 5 s grace timer
    expect(stopMs).to.be.below(4000);
    // every game whose create was answered 201 is in the database with its event
    const created = statuses.filter((s) => s === 201).length;
    const [[row]] = (await env.sql.query(
      "SELECT COUNT(*) AS games, (SELECT COUNT(*) FROM outbox_events) AS events FROM games WHERE title LIKE 'Shutdown %'",
    )) as unknown as [[{ games: number; events: number }]];
    expect(Number(row.games)).to.be.at.least(created);
    expect(Number(row.events)).to.equal(Number(row.games));
  });
});
