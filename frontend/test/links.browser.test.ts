// The links between the tools in Chromium: the catalog pages link to the producer page and the
// RabbitMQ management UI (addresses from the server's /app-config.json, or derived from the page's
// own host), and the producer page with its dead-letter console links back.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { useBrowserHarness } from './browser-harness.js';

const href = (page: Page, name: string) => page.getByRole('link', { name }).getAttribute('href');

describe('links between the tools in a browser', function () {
  this.timeout(60_000);

  describe('with their addresses configured', () => {
    const h = useBrowserHarness('frontend_links', {
      links: {
        producerUrl: 'https://producer.example.test/console/',
        rabbitmqManagementUrl: 'https://rabbit.example.test',
      },
    });

    for (const path of ['/', '/processing.html']) {
      it(`the page at ${path} links to the configured producer page and RabbitMQ UI`, async () => {
        const page = await h.open(path);
        await page
          .locator('#producer-link[href="https://producer.example.test/console/"]')
          .waitFor();
        expect(await href(page, 'RabbitMQ')).to.equal('https://rabbit.example.test/');
        expect(
          await page.getByRole('link', { name: 'Message producer' }).getAttribute('target'),
        ).to.equal('_blank');
        await page.close();
      });
    }
  });

  describe('with the defaults of `npm start`', () => {
    const h = useBrowserHarness('frontend_links_default', {
      links: { producerPort: 3901 },
    });

    it('links to the producer port and RabbitMQ UI port on the host the page was opened at', async () => {
      const page = await h.open('/processing.html');
      await page.locator('#producer-link[href="http://127.0.0.1:3901/"]').waitFor();
      expect(await href(page, 'RabbitMQ')).to.equal('http://127.0.0.1:15672/');
      await page.close();
    });
  });
});
