import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { ensurePagesBuilt, TcpProxy, waitFor } from '@retro/common/testing';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

describe('message producer: the page in a browser', function () {
  this.timeout(120_000);
  let h: ProducerTestEnv;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async function () {
    requireChromium(this);
    // the page is compiled TypeScript: build it as `npm run build` does
    ensurePagesBuilt();
    h = await startProducerTestEnv('producer_page');
    browser = await launchChromium();
    // a tester signed in: the page publishes and reads the console as one
    const context = await h.browserSession(browser, 'tester', {
      viewport: { width: 1280, height: 1100 },
    });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(h.producer.url);
    await page
      .getByLabel('Template')
      .locator('option[value="custom"]')
      .waitFor({ state: 'attached' });
  });

  after(async () => {
    await browser?.close();
    await h?.cleanup();
  });

  it('when a tester publishes a custom message with the keyboard, then the page shows its id and the message is in the queue', async () => {
    await page.getByLabel('Template').selectOption('custom');
    const editor = page.getByLabel('Body (JSON)');
    await editor.fill('{"message": "sent from the page", "simulate": "transient"}');
    await expect(await page.locator('#editor-status').textContent()).to.contain('Valid JSON');
    await page.getByRole('button', { name: 'Publish' }).focus();
    await page.keyboard.press('Enter');

    const id = page.locator('#result code[data-message-id]');
    await id.waitFor();
    const messageId = (await id.textContent())!;
    const [msg] = await waitFor('the message in the queue', async () => {
      const got = await h.probe.drain(h.queues.main);
      return got.length > 0 ? got : undefined;
    });
    expect(msg!.properties.messageId).to.equal(messageId);
    expect(JSON.parse(msg!.content.toString())).to.include({
      type: 'custom',
      message: 'sent from the page',
      simulate: 'transient',
    });
    expect(await page.locator('#history').textContent()).to.contain(messageId);
  });

  it('when the JSON in the editor is broken, then the page says so as you type and publishes nothing', async () => {
    await page.getByLabel('Body (JSON)').fill('{"message": ');

    expect(await page.locator('#editor-status').textContent()).to.contain('Not valid JSON');
    expect(await page.getByLabel('Body (JSON)').getAttribute('aria-invalid')).to.equal('true');
    await page.keyboard.press('Control+Enter');
    await page.locator('#result', { hasText: 'Fix the highlighted fields' }).waitFor();
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);
  });

  it("when a tester types a system header, then the page shows the API's refusal by the headers field and publishes nothing", async () => {
    await page.getByLabel('Template').selectOption('custom');
    const headers = page.getByLabel('Headers (JSON object)');
    await headers.fill('{"X-Error": "forged"}');
    await page.getByRole('button', { name: 'Publish' }).click();

    const status = page.locator('#headers-status', { hasText: 'reserved' });
    await status.waitFor();
    expect(await status.textContent()).to.equal(
      '"X-Error" is reserved: only the system and the broker write it',
    );
    expect(await headers.getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('#result').textContent()).to.contain('headers.X-Error');
    expect(await h.probe.messageCount(h.queues.main)).to.equal(0);

    await headers.fill('');
    expect(await page.locator('#headers-status').textContent()).to.equal('');
    // the browser logs the 400 as a failed load: expected here, not a problem of the page
    const logged = problems.findIndex((p) => p.includes('status of 400'));
    expect(logged).to.be.at.least(0);
    problems.splice(logged, 1);
  });

  it('when a poison message is parked, then the dead-letter console lists it with its reason', async () => {
    await h.probe.publish(h.queues.dlq, '{"gameId": ', {
      messageId: 'poison-1',
      contentType: 'application/json',
      headers: { 'x-error': 'body is not valid JSON', 'x-failed-at': new Date().toISOString() },
    });

    const row = page.locator('#dl-rows tr[data-message-id="poison-1"]');
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('.reason').textContent()).to.equal('body is not valid JSON');
    await expect(await page.locator('#queue-rows').textContent()).to.contain(h.queues.dlq);
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}producer-page.png`, fullPage: true });
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });

  it('when a count above one is published, then the page follows the bulk job to the end and every message arrives', async () => {
    await page.getByLabel('Template').selectOption('game-process');
    await page.getByLabel('Count').fill('50');
    await page.getByRole('button', { name: 'Publish' }).click();

    await page.locator('#result', { hasText: '50 of 50 confirmed' }).waitFor();
    expect(await page.locator('#bulk-progress').getAttribute('value')).to.equal('50');
    const messages = await waitFor('50 messages', async () =>
      (await h.probe.messageCount(h.queues.main)) === 50 ? h.probe.drain(h.queues.main) : undefined,
    );
    expect(new Set(messages.map((m) => m.properties.messageId)).size).to.equal(50);
    await page.getByLabel('Count').fill('1');
  });

  it('when the broker is unreachable, then the page says so and that nothing was published', async () => {
    const closed = new TcpProxy('127.0.0.1', 9);
    const port = await closed.start();
    await closed.stop();
    const down = await startProducerTestEnv(
      'producer_page_down',
      { config: { RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}` } },
      { waitForBroker: false },
    );
    const tab = await (await down.browserSession(browser, 'tester')).newPage();
    try {
      await tab.goto(down.producer.url);
      await tab.locator('#broker-status', { hasText: 'Broker: unreachable' }).waitFor();
      await tab
        .getByLabel('Template')
        .locator('option[value="custom"]')
        .waitFor({ state: 'attached' });
      await tab.getByRole('button', { name: 'Publish' }).click();
      const result = tab.locator('#result', { hasText: 'Nothing was published' });
      await result.waitFor();
      expect(await result.textContent()).to.contain('unreachable');
      expect(await tab.locator('#queues-error').textContent()).to.contain('unreachable');
      // the archive is in MySQL: the console still reads while the broker is away
      await tab.locator('#dl-groups-summary', { hasText: 'Nothing archived' }).waitFor();
      await tab.screenshot({ path: `${artifacts}producer-page-broker-down.png` });
    } finally {
      await tab.close();
      await down.cleanup();
    }
  });
});
