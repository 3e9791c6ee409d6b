import { type Browser } from 'playwright-core';
import { launchChromium } from '@retro/common/testing/browser';
import { startBackend, type RunningBackend } from '@retro/backend';
import { createLogger, type QueueNames } from '@retro/common';
import { BrokerProbe, DEFAULT_RETRY_DELAY_MS, testQueues } from '@retro/common/testing';
import { createTestDatabase } from '@retro/database/testing';
import { startFrontendServer, type FrontendServer } from '../server/src/index.js';
import { DIST_DIR, ensureBuilt } from './build.js';

export interface PagesEnv {
  db: Awaited<ReturnType<typeof createTestDatabase>>;
  queues: QueueNames;
  backend: RunningBackend;
  frontend: FrontendServer;
  browser: Browser;
  /** Where the pages are served. */
  base: string;
  /** Stops what `startPagesEnv` started and drops its database and queues. */
  stop(): Promise<void>;
}

/**
 * The built pages served by the frontend server in front of a real backend (database and queues
 * of its own), and a headless Chromium to open them.
 */
export async function startPagesEnv(
  prefix: string,
  config: { token: string; stalledAfterMs?: number },
): Promise<PagesEnv> {
  ensureBuilt();
  const db = await createTestDatabase(prefix);
  const queues = testQueues(prefix);
  const backend = await startBackend({
    config: {
      DB_NAME: db.settings.database,
      BACKEND_PORT: 0,
      INTERNAL_API_TOKEN: config.token,
      LOG_LEVEL: 'error',
      ...(config.stalledAfterMs ? { TASK_STALLED_AFTER_MS: config.stalledAfterMs } : {}),
    },
    queues,
  });
  const frontend = await startFrontendServer({
    port: 0,
    host: '127.0.0.1',
    backendUrl: backend.url,
    distDir: DIST_DIR,
    logger: createLogger('frontend', 'error'),
  });
  const browser = await launchChromium();
  return {
    db,
    queues,
    backend,
    frontend,
    browser,
    base: `http://127.0.0.1:${frontend.port}`,
    async stop() {
      await browser.close();
      await frontend.stop();
      await backend.stop();
      const probe = await BrokerProbe.open();
      // the retry tiers of the services' default delay and of the tests' consumer (100 ms)
      await probe.deleteQueues(queues, [DEFAULT_RETRY_DELAY_MS, 100]).catch(() => undefined);
      await probe.close();
      await db.drop();
    },
  };
}
