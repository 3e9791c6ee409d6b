import { expect } from 'chai';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '@retro/common/testing/browser';
import { startBackend, type RunningBackend } from '@retro/backend';
import { createLogger, type QueueNames } from '@retro/common';
import { BrokerProbe, testQueues, validGame, waitFor } from '@retro/common/testing';
import { createTestDatabase } from '@retro/database';
import { startFrontendServer, type FrontendServer } from '../server/src/index.js';
import { DIST_DIR, ensureBuilt } from './build.js';

describe('the catalog pager in a browser', function () {
  this.timeout(60_000);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let queues: QueueNames;
  let backend: RunningBackend;
  let frontend: FrontendServer;
  let browser: Browser;
  let base: string;

  before(async function () {
    this.timeout(180_000);
    ensureBuilt();
    db = await createTestDatabase('pager');
    queues = testQueues('pager');
    backend = await startBackend({
      config: {
        DB_NAME: db.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: 'test-token-0123456789',
        LOG_LEVEL: 'error',
      },
      queues,
    });
    frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: backend.url,
      distDir: DIST_DIR,
      logger: createLogger('frontend', 'error'),
    });
    base = `http://127.0.0.1:${frontend.port}`;
    browser = await launchChromium();
    // 10 seed games + 20: three pages of 12
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${backend.url}/api/games`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(validGame({ title: `Pager Game ${String(i).padStart(2, '0')}` })),
      });
      expect(res.status).to.equal(201);
    }
  });

  after(async () => {
    await browser?.close();
    await frontend?.stop();
    await backend?.stop();
    const probe = await BrokerProbe.open();
    await probe.deleteQueues(queues).catch(() => undefined);
    await probe.close();
    await db?.drop();
  });

  const titles = (page: Page) => page.locator('.card-title').allTextContents();
  async function shown(page: Page, info: string): Promise<string[]> {
    await waitFor(`"${info}"`, async () =>
      (await page.locator('#page-info').textContent()) === info ? true : undefined,
    );
    return titles(page);
  }

  it('pages forward by cursor, keeps the page in the address bar, and pages back', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    const first = await shown(page, 'Page 1 of 3');
    expect(await page.locator('#result-summary').textContent()).to.match(/^30 games/);
    await page.getByRole('button', { name: /Next/ }).click();
    const second = await shown(page, 'Page 2 of 3');
    expect(second).to.have.length(12);
    expect(second.filter((t) => first.includes(t))).to.deep.equal([]);
    expect(page.url()).to.match(/page=2&after=/);

    // a reload, or the link shared, opens the same page
    await page.reload();
    expect(await shown(page, 'Page 2 of 3')).to.deep.equal(second);
    await page.getByRole('button', { name: /Next/ }).click();
    const third = await shown(page, 'Page 3 of 3');
    expect(third).to.have.length(6);
    expect(await page.getByRole('button', { name: /Next/ }).isDisabled()).to.equal(true);
    await page.getByRole('button', { name: /Previous/ }).click();
    expect(await shown(page, 'Page 2 of 3')).to.deep.equal(second);
    await page.getByRole('button', { name: /Previous/ }).click();
    expect(await shown(page, 'Page 1 of 3')).to.deep.equal(first);
    await page.close();
  });
});
