// The producer page per role in Chromium: below tester only the way to sign in; a tester
// publishes and reads the dead-letter archive; an operator also replays, deletes and restores,
// each destructive action confirmed in a dialog that names how many messages it touches.
import { expect } from 'chai';
import type { RowDataPacket } from 'mysql2/promise';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createLogger, SESSION_COOKIE } from '@retro/common';
import type { Role } from '@retro/common/api';
import { ensurePagesBuilt, signInSession, waitFor } from '@retro/common/testing';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { openTestResources, type TestResources } from '@retro/database/testing';
import { startProducer, type RunningProducer } from '@retro/message-producer';
import { park, poisonMessages } from '../../message-producer/test/parking.js';
import { accessibilityViolations } from './axe.js';

describe('each role on the producer page in a browser', function () {
  this.timeout(60_000);
  let resources: TestResources;
  let producer: RunningProducer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  before(async function () {
    requireChromium(this);
    this.timeout(180_000);
    ensurePagesBuilt();
    resources = await openTestResources('frontend_producer_roles');
    const logger = createLogger('message-producer', 'error');
    logger.silent = true;
    producer = await startProducer({
      queues: resources.queues,
      rateLimit: false,
      logger,
      archiver: { lingerMs: 5, schemaPollMs: 200 },
      config: { PRODUCER_PORT: 0, LOG_LEVEL: 'error', DB_NAME: resources.database.database },
    });
    await park(resources.queues.dlq, poisonMessages(9));
    await waitFor('the archive to hold the parked messages', async () => {
      const [[row]] = await resources.sql.query<RowDataPacket[]>(
        'SELECT COUNT(*) AS n FROM dead_letters',
      );
      return Number(row?.n) === 9;
    });
    browser = await launchChromium();
  });

  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await producer?.stop();
    await resources?.release();
  });

  afterEach(function () {
    const found = errors.splice(0);
    if (this.currentTest?.state === 'passed') expect(found).to.deep.equal([]);
  });

  /** The page in a browser of its own, signed in through the producer's own /api/session. */
  async function open(as: Role | 'anonymous'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1400 } });
    contexts.push(context);
    if (as !== 'anonymous') {
      const value = await signInSession(producer.url, resources.accounts[as]);
      await context.addCookies([{ name: SESSION_COOKIE, value, url: producer.url }]);
    }
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text())) errors.push(message.text());
    });
    await page.goto(producer.url);
    return page;
  }

  const shown = (page: Page, selector: string) => page.locator(selector).isVisible();

  for (const as of ['anonymous', 'viewer'] as const) {
    it(`shows ${as === 'anonymous' ? 'an anonymous visitor' : 'a viewer'} only how to sign in`, async () => {
      const page = await open(as);
      await page.getByRole('heading', { name: 'Sign in to use the producer' }).waitFor();
      for (const section of ['#compose', '#queues', '#dead-letters', '#published']) {
        expect(await shown(page, section), section).to.equal(false);
      }
      expect(await accessibilityViolations(page)).to.deep.equal([]);
      await page.close();
    });
  }

  it('lets a tester publish and read the dead letters, with no operator control there', async () => {
    const page = await open('tester');
    await page.locator('#account-role', { hasText: 'tester' }).waitFor();
    await page.locator('#dl-rows tr').nth(8).waitFor();
    expect(await shown(page, '#needs-tester')).to.equal(false);
    for (const name of [
      'Replay selected',
      'Delete selected',
      'Replay all matching',
      'Delete all matching',
    ]) {
      expect(await page.getByRole('button', { name }).count(), name).to.equal(0);
    }
    expect(await page.getByRole('button', { name: 'Replay group' }).count()).to.equal(0);
    expect(await page.locator('#dl-rows input[type="checkbox"]').first().isVisible()).to.equal(
      false,
    );
    await page.locator('#dl-rows tr').first().getByRole('button', { name: /^Open/ }).click();
    await page.locator('#dl-detail').waitFor();
    expect(
      await page.locator('#dl-detail').getByRole('button', { name: 'Delete' }).count(),
    ).to.equal(0);
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('#result', { hasText: 'Confirmed by the broker' }).waitFor();
    await page.close();
  });

  it('lets an operator delete selected messages after a confirmation naming how many, and restore them', async () => {
    const page = await open('operator');
    await page.locator('#account-role', { hasText: 'operator' }).waitFor();
    await page.locator('#dl-rows tr').nth(8).waitFor();
    const deleteSelected = page.getByRole('button', { name: 'Delete selected' });
    const replaySelected = page.getByRole('button', { name: 'Replay selected' });
    // destructive: the danger style, unlike the safe action beside it
    expect(await deleteSelected.getAttribute('class')).to.include('danger');
    expect((await replaySelected.getAttribute('class')) ?? '').to.not.include('danger');

    const rows = page.locator('#dl-rows tr');
    await rows.nth(0).getByRole('checkbox').check();
    await rows.nth(1).getByRole('checkbox').check();
    await deleteSelected.click();
    const confirm = page.locator('#confirm-dialog');
    await confirm.getByRole('heading', { name: 'Delete 2 messages?' }).waitFor();
    expect(await confirm.locator('#confirm-text').textContent()).to.include(
      'The 2 selected messages will leave the archive',
    );
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await confirm.getByRole('button', { name: 'Delete 2 messages' }).click();
    await page.locator('#dl-result', { hasText: 'Deleted 2 messages.' }).waitFor();
    await page.locator('#dl-page', { hasText: 'of 7.' }).waitFor();

    await page.getByRole('button', { name: 'Restore the 2 deleted messages' }).click();
    await page.locator('#dl-result', { hasText: 'Restored 2 messages.' }).waitFor();
    await page.locator('#dl-page', { hasText: 'of 9.' }).waitFor();
    await page.close();
  });

  it('asks an operator before replaying or deleting all matching messages, naming how many', async () => {
    const page = await open('operator');
    await page.locator('#dl-page', { hasText: 'of 9.' }).waitFor();
    const confirm = page.locator('#confirm-dialog');

    await page.getByRole('button', { name: 'Replay all matching' }).click();
    await confirm.getByRole('heading', { name: 'Replay 9 messages?' }).waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Delete all matching' }).click();
    await confirm.getByRole('heading', { name: 'Delete 9 messages?' }).waitFor();
    expect(await confirm.locator('#confirm-text').textContent()).to.include(
      'All 9 matching messages will leave the archive',
    );
    // Escape is a no: nothing was deleted
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await page.locator('#dl-result').textContent()).to.not.include('Deleted');
    expect(await page.locator('#dl-page').textContent()).to.include('of 9.');
    await page.close();
  });
});
