// The real backend behind each of its proxies (the local web server of `npm start`, and the
// container's nginx config run by Debian's nginx), set up as those deployments set it up: a
// client that sends a new X-Forwarded-For with every request still spends one budget, while
// another client address gets its own.
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackend, type RunningBackend } from '@retro/backend';
import { createLogger } from '@retro/common';
import { BrokerProbe, freePort, testQueues } from '@retro/common/testing';
import { createTestDatabase } from '@retro/database/testing';
import { expect } from 'chai';
import { startFrontendServer } from '../../frontend/server/src/index.js';
import { environmentOf } from '../containers/lib/compose-checks.js';
import { LocalNginx, localConfig, requireNginx } from '../containers/lib/nginx.js';
import { loadCompose, readText } from '../containers/lib/repo.js';

const LIMIT = 5;

/** A backend with a database and queues of its own, allowing LIMIT requests a minute. */
async function limitedBackend(prefix: string, trustProxy: string) {
  const database = await createTestDatabase(prefix);
  const queues = testQueues(prefix);
  const backend = await startBackend({
    queues,
    host: '127.0.0.1',
    config: {
      DB_NAME: database.settings.database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: 'proxies-test-token-0123456789',
      LOG_LEVEL: 'error',
      RATE_LIMIT_PER_MINUTE: LIMIT,
      TRUST_PROXY: trustProxy,
    },
  });
  return {
    backend,
    async stop() {
      await backend.stop();
      const probe = await BrokerProbe.open();
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
      await database.drop();
    },
  };
}

/** GET from a chosen local address (all of 127/8 is this machine), with a claimed client. */
function get(port: number, from: string, forwardedFor: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        localAddress: from,
        path: '/api/platforms',
        headers: { 'X-Forwarded-For': forwardedFor, Connection: 'close' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** What one spoofing client gets, then what a second client gets. */
async function spoofingThenHonest(port: number) {
  const spoofing: number[] = [];
  for (let i = 0; i < LIMIT + 3; i++) spoofing.push(await get(port, '127.0.0.1', `192.0.2.${i}`));
  const honest = await get(port, '127.0.0.2', '127.0.0.2');
  return { spoofing, honest };
}

const EXPECTED = [...Array<number>(LIMIT).fill(200), 429, 429, 429];

describe('client address behind the proxies', () => {
  let stack: { backend: RunningBackend; stop(): Promise<void> } | undefined;
  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  it('through the local web server (npm start: TRUST_PROXY=loopback), a spoofed X-Forwarded-For does not dodge the rate limit', async () => {
    stack = await limitedBackend('proxies_node', 'loopback');
    const frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: stack.backend.url,
      distDir: tmpdir(),
      logger: createLogger('frontend', 'error'),
    });
    try {
      const { spoofing, honest } = await spoofingThenHonest(frontend.port);
      expect(spoofing).to.deep.equal(EXPECTED);
      expect(honest, 'another client has its own budget').to.equal(200);
    } finally {
      await frontend.stop();
    }
  });

  it('through the container nginx config (TRUST_PROXY as compose sets it), a spoofed X-Forwarded-For does not dodge the rate limit', async function () {
    requireNginx(this);
    const trustProxy = environmentOf(loadCompose().services.backend!).TRUST_PROXY!;
    stack = await limitedBackend('proxies_nginx', trustProxy);
    const htmlDir = mkdtempSync(join(tmpdir(), 'retro-html-'));
    const port = await freePort();
    const nginx = new LocalNginx(port);
    try {
      nginx.write(
        localConfig(readText('frontend/nginx.conf'), {
          port,
          backendPort: stack.backend.port,
          htmlDir,
          prefix: nginx.prefix,
          apiReadTimeout: '10s',
        }),
      );
      await nginx.start();
      const { spoofing, honest } = await spoofingThenHonest(port);
      expect(spoofing).to.deep.equal(EXPECTED);
      expect(honest, 'another client has its own budget').to.equal(200);
    } finally {
      await nginx.stop();
      rmSync(htmlDir, { recursive: true, force: true });
    }
  });
});
