import { expect } from 'chai';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { ensurePagesBuilt } from '@retro/common/testing';
import { accessibilityViolations } from '../../frontend/test/axe.js';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';

describe('message producer: the retry tiers in the queue table', function () {
  this.timeout(120_000);
  let h: ProducerTestEnv;
  let browser: Browser;
  let page: Page;

  before(async function () {
    requireChromium(this);
    ensurePagesBuilt();
    h = await startProducerTestEnv('producer_tiers');
    browser = await launchChromium();
    const context = await h.browserSession(browser, 'tester', {
      viewport: { width: 1280, height: 1100 },
    });
    page = await context.newPage();
    await page.goto(h.producer.url);
    await page.locator('#queue-rows tr[data-role="retry-tiers"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await h?.cleanup();
  });

  const tierRows = () => page.locator('#queue-rows tr[data-role="retry"]');

  it('when the page loads, then the tiers are one row with their totals, the queue of each folded away', async () => {
    const toggle = page.getByRole('button', { name: /^Retry tiers \(\d+ queues\)$/ });
    expect(await toggle.getAttribute('aria-expanded')).to.equal('false');
    const tiers = await tierRows().count();
    expect(tiers).to.be.greaterThan(1);
    expect(await toggle.textContent()).to.equal(`Retry tiers (${tiers} queues)`);
    expect(await tierRows().evaluateAll((rows) => rows.filter((r) => !r.hidden).length)).to.equal(
      0,
    );
    expect(await page.locator('#queue-rows tr:not([hidden])').count()).to.equal(3);
  });

  it('when the row is opened with the keyboard, then every tier shows, and stays open across refreshes', async () => {
    const toggle = page.getByRole('button', { name: /^Retry tiers/ });
    await toggle.focus();
    await page.keyboard.press('Enter');
    expect(await toggle.getAttribute('aria-expanded')).to.equal('true');
    await tierRows().first().waitFor();
    // the table is refreshed every 2 s: the tiers stay open and the button keeps the focus
    await page.waitForTimeout(2500);
    expect(await toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(
      await toggle.evaluate((button) => button === button.ownerDocument.activeElement),
    ).to.equal(true);
    expect(await tierRows().evaluateAll((rows) => rows.every((r) => !r.hidden))).to.equal(true);
    expect(await accessibilityViolations(page)).to.deep.equal([]);
  });
});
