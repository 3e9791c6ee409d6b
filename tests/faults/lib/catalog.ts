import http from 'node:http';

/** A backend and who calls it: `token` is an editor's personal token (`createTestAccounts`). */
export interface CatalogClient {
  url: string;
  token: string;
}

/** POST /api/games, retried while the backend is restarting (connection refused or reset). */
export async function createGame(
  backend: CatalogClient,
  agent: http.Agent,
  i: number,
): Promise<void> {
  const body = JSON.stringify({
    title: `Fault Game ${i}`,
    platformId: (i % 7) + 1,
    genreId: (i % 8) + 1,
    developer: 'Fault Studio',
    releaseYear: 1980 + (i % 20),
    description: 'Created while things break.',
  });
  for (let attempt = 0; ; attempt++) {
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(
          `${backend.url}/api/games`,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              authorization: `Bearer ${backend.token}`,
            },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      if (status === 201) return;
      throw new Error(`create answered ${status}`);
    } catch (error) {
      if (attempt >= 200) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Creates `count` games through the API, `concurrency` requests at a time (as several editors
 * would); each create emits one event through the outbox.
 */
export async function createGames(
  backend: CatalogClient,
  count: number,
  concurrency = 4,
): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await createGame(backend, agent, next++);
      }),
    );
  } finally {
    agent.destroy();
  }
}
