import { expect } from 'chai';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { type RunningBackend, startBackend } from '@retro/backend';
import type { ProcessingTask } from '@retro/common';
import { ensurePagesBuilt, waitFor } from '@retro/common/testing';
import { createTestDatabase } from '@retro/database/testing';
import { type RunningConsumer, startConsumer } from '@retro/message-consumer';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

const TOKEN = 'producer-e2e-token-0123456789';

/**
 * The "done when": from the page, a custom message and a `simulate: transient` one end
 * completed on the processing feed; a poison sample is parked with its reason and replays.
 */
describe('message producer: from the page through the consumer to the processing feed', function () {
  this.timeout(120_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let h: ProducerTestEnv;
  let backend: RunningBackend;
  let consumer: RunningConsumer;
  let browser: Browser;
  let page: Page;

  before(async function () {
    requireChromium(this);
    ensurePagesBuilt();
    database = await createTestDatabase('producer_e2e');
    h = await startProducerTestEnv('producer_e2e');
    backend = await startBackend({
      queues: h.queues,
      config: {
        DB_NAME: database.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TOKEN,
        LOG_LEVEL: 'error',
      },
    });
    consumer = await startConsumer({
      queues: h.queues,
      config: {
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: TOKEN,
        CONSUMER_PORT: 0,
        PROCESSING_DELAY_MS: 0,
        RETRY_DELAY_MS: 50,
        MAX_RETRIES: 3,
        LOG_LEVEL: 'error',
      },
    });
    await waitFor('the consumer to subscribe', () => consumer.isConsuming());
    browser = await launchChromium();
    page = await (await h.browserSession(browser, 'operator')).newPage();
    await page.goto(h.producer.url);
    await page
      .getByLabel('Template')
      .locator('option[value="custom"]')
      .waitFor({ state: 'attached' });
  });

  after(async () => {
    await browser?.close();
    await consumer?.stop();
    await h?.probe.deleteQueues(h.queues, [50]).catch(() => undefined); // the consumer's tiers
    await h?.cleanup();
    await backend?.stop();
    await database?.drop();
  });

  async function publishTemplate(template: string): Promise<string> {
    await page.getByLabel('Template').selectOption(template);
    await page.getByRole('button', { name: 'Publish' }).click();
    const id = page.locator('#result code[data-message-id]');
    await id.waitFor();
    const messageId = (await id.textContent())!;
    await page.locator('#result').evaluate((node) => node.replaceChildren()); // ready for the next
    return messageId;
  }

  const task = (messageId: string, status: ProcessingTask['status']) =>
    waitFor(`task ${messageId} to be ${status}`, async () => {
      const res = await fetch(`${backend.url}/api/tasks/${messageId}`);
      if (res.status !== 200) return undefined;
      const body = (await res.json()) as ProcessingTask;
      return body.status === status ? body : undefined;
    });

  it('when a custom and a transient message are published from the page, then both end completed, the transient one after retries', async () => {
    const custom = await publishTemplate('custom');
    const transient = await publishTemplate('simulate-transient');

    expect((await task(custom, 'completed')).attempts).to.equal(1);
    expect((await task(transient, 'completed')).attempts).to.equal(3); // failAttempts 2, then success
  });

  it('when a poison sample is published, then the console lists it as parked with its reason and its replay sends it through again', async () => {
    const poison = await publishTemplate('poison-invalid-json');

    const row = page.locator(`#dl-rows tr[data-message-id="${poison}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect(await row.locator('.reason').textContent()).to.contain('not valid JSON');
    expect((await task(poison, 'failed')).lastError).to.contain('not valid JSON');

    await row.getByRole('button', { name: /^Open dead letter/ }).click();
    await page.locator('#dl-detail').getByRole('button', { name: 'Replay', exact: true }).click();

    await page.locator('#history', { hasText: 'Replayed from the archive' }).waitFor();
    // poison stays poison: the consumer parks the replayed copy again, and nothing is lost
    const parkings = await waitFor('the replayed copy to be parked again', async () => {
      const res = await fetch(`${h.producer.url}/api/dead-letters?messageId=${poison}`, {
        headers: h.auth,
      });
      const body = (await res.json()) as { parkedAt: string; replayedAt: string | null }[];
      return body.length === 2 ? body : undefined;
    });
    expect(parkings[0]!.replayedAt).to.equal(null); // the new parking, newest first
    expect(parkings[1]!.replayedAt).to.be.a('string');
    expect(parkings[0]!.parkedAt > parkings[1]!.parkedAt).to.equal(true);
  });
});
