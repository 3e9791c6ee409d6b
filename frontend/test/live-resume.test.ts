// The processing page across a network blip: Chromium's EventSource reconnects with
// Last-Event-ID, and the page shows what changed meanwhile, re-reading its list only when told to.
import { expect } from 'chai';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { startBackend, type RunningBackend } from '@retro/backend';
import { createLogger, type QueueNames } from '@retro/common';
import {
  BrokerProbe,
  PAGES_DIST_DIR,
  TEST_METRICS_TOKEN,
  TcpProxy,
  ensurePagesBuilt,
  metricValue,
  testQueues,
  waitFor,
} from '@retro/common/testing';
import { createTestDatabase } from '@retro/database/testing';
import { startFrontendServer, type FrontendServer } from '../server/src/index.js';

const TOKEN = 'test-token-0123456789';
/** A reconnect that missed more changes than this is told to reload. */
const RESUME_LIMIT = 3;

describe('processing page after a network blip (browser)', function () {
  this.timeout(60_000);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let queues: QueueNames;
  let backend: RunningBackend;
  /** Between the page's server and the backend: cutting it breaks the page's stream. */
  let network: TcpProxy;
  let frontend: FrontendServer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    requireChromium(this);
    this.timeout(180_000);
    ensurePagesBuilt();
    db = await createTestDatabase('liveresume');
    queues = testQueues('liveresume');
    backend = await startBackend({
      config: {
        DB_NAME: db.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        LOG_LEVEL: 'error',
      },
      queues,
      stream: { resumeLimit: RESUME_LIMIT, catchUpIntervalMs: 600_000 },
    });
    network = new TcpProxy('127.0.0.1', backend.port);
    const port = await network.start();
    frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: `http://127.0.0.1:${port}`,
      distDir: PAGES_DIST_DIR,
      logger: createLogger('frontend', 'error'),
    });
    browser = await launchChromium();
    page = await (await browser.newContext()).newPage();
    await page.goto(`http://127.0.0.1:${frontend.port}/processing.html`);
    await page.locator('#live-state[data-mode="live"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await frontend?.stop();
    await network?.stop();
    await backend?.stop();
    if (queues) {
      const probe = await BrokerProbe.open();
      await probe.deleteQueues(queues).catch(() => undefined);
      await probe.close();
    }
    await db?.drop();
  });

  /** Custom messages' status reports, straight to the backend (the consumer's path). */
  async function report(...updates: Array<[messageId: string, status: string]>): Promise<void> {
    const res = await fetch(`${backend.url}/api/internal/tasks/status`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        updates: updates.map(([messageId, status]) => ({ messageId, status, type: 'custom' })),
      }),
    });
    expect(res.status).to.equal(200);
  }

  const row = (messageId: string, status: string) =>
    page.locator(`tr[data-message-id="${messageId}"][data-status="${status}"]`);

  async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    // read as a scraper does: /metrics answers its token (or an operator) only
    const res = await fetch(`${backend.url}/metrics`, {
      headers: { Authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    expect(res.status).to.equal(200);
    const text = await res.text();
    return metricValue(text, name, labels);
  }

  /** Breaks every connection to the backend while `meanwhile` runs, as a network blip would. */
  async function blip(meanwhile: () => Promise<void>): Promise<void> {
    network.disconnect();
    try {
      await meanwhile();
    } finally {
      // back before the browser's reconnect (`retry: 3000`), so it finds the server answering
      network.restore();
    }
  }

  it('when the stream is cut, then the page resumes where it was and shows what changed meanwhile', async () => {
    await report(['blip-1', 'processing']);
    await row('blip-1', 'processing').waitFor();
    const resumedRows = () => metric('task_stream_catch_up_rows_total', { kind: 'resume' });
    const before = await resumedRows();
    await blip(() => report(['blip-1', 'completed'], ['blip-2', 'processing']));
    await row('blip-1', 'completed').waitFor();
    await row('blip-2', 'processing').waitFor();
    expect(await resumedRows(), 'sent by a resume').to.be.greaterThan(before);
    expect(await metric('task_stream_reloads_total')).to.equal(0);
  });

  it('when it missed more changes than a resume sends, then the page is told to reload and re-reads its list', async () => {
    const missed = Array.from(
      { length: RESUME_LIMIT + 2 },
      (_, i) => [`missed-${i}`, 'failed'] as [string, string],
    );
    await blip(() => report(...missed));
    await waitFor('event: reload', async () => (await metric('task_stream_reloads_total')) === 1);
    for (const [messageId] of missed) await row(messageId, 'failed').waitFor();
  });
});
