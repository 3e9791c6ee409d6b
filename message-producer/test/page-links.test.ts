import { expect } from 'chai';
import { type Browser } from 'playwright-core';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { ensurePagesBuilt } from '@retro/common/testing';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

/** The producer page and its dead-letter console link back to the catalog and to RabbitMQ's UI. */
describe('message producer: links to the other tools in a browser', function () {
  this.timeout(120_000);
  let browser: Browser;
  const envs: ProducerTestEnv[] = [];

  before(async function () {
    requireChromium(this);
    ensurePagesBuilt();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const env of envs) await env.cleanup();
  });

  /** The page of a producer started with `config`: the links' addresses once it has set them. */
  async function links(config: Record<string, string | number>) {
    const h = await startProducerTestEnv('producer_links', { config });
    envs.push(h);
    const page = await (await h.browserSession(browser, 'viewer')).newPage();
    await page.goto(h.producer.url);
    await page.locator('#catalog-link:not([href="http://localhost:8080/"])').waitFor();
    const href = (selector: string) => page.locator(selector).getAttribute('href');
    return {
      catalog: await href('#catalog-link'),
      processing: await href('#processing-top-link'),
      queuesPanel: await href('#processing-link'),
      console: await href('#dl-processing-link'),
      rabbitmq: await href('#rabbitmq-link'),
    };
  }

  it('when nothing is configured, then they point at the host the page was opened at', async () => {
    expect(await links({ FRONTEND_PORT: 8123 })).to.deep.equal({
      catalog: 'http://127.0.0.1:8123/',
      processing: 'http://127.0.0.1:8123/processing.html',
      queuesPanel: 'http://127.0.0.1:8123/processing.html',
      console: 'http://127.0.0.1:8123/processing.html',
      rabbitmq: 'http://127.0.0.1:15672/',
    });
  });

  it('when CATALOG_PUBLIC_URL and RABBITMQ_MANAGEMENT_URL are set, then they point there', async () => {
    const answer = await links({
      CATALOG_PUBLIC_URL: 'https://catalog.example.test/retro',
      RABBITMQ_MANAGEMENT_URL: 'https://rabbit.example.test/ui/',
    });
    expect(answer).to.deep.equal({
      catalog: 'https://catalog.example.test/retro/',
      processing: 'https://catalog.example.test/retro/processing.html',
      queuesPanel: 'https://catalog.example.test/retro/processing.html',
      console: 'https://catalog.example.test/retro/processing.html',
      rabbitmq: 'https://rabbit.example.test/ui/',
    });
  });
});
