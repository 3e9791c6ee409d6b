// The processing page in Chromium: retries, stalled tasks, and live updates on it and on the
// catalog's cards as a real consumer completes a task.
import { expect } from 'chai';
import { startConsumer, type RunningConsumer } from '@retro/message-consumer';
import { uniqueName, waitFor } from '@retro/common/testing';
import {
  ARTIFACTS,
  TOKEN,
  activeElementLabel,
  card,
  useBrowserHarness,
} from './browser-harness.js';

/** Long enough for the other tests to finish with a task before it stalls. */
const STALLED_AFTER_MS = 3000;

describe('processing page in a browser', function () {
  this.timeout(60_000);
  let consumer: RunningConsumer | undefined;
  // registered first, so it runs before the harness stops the backend the consumer reports to
  after(async () => {
    await consumer?.stop();
  });
  const h = useBrowserHarness('frontend_processing', { stalledAfterMs: STALLED_AFTER_MS });

  it('lets an editor retry a failed task from the processing page', async () => {
    const game = await h.createGame(`Soul Blazer ${uniqueName('t')}`);
    const processing = await h.open('/processing.html');
    await processing.locator('#live-state[data-mode="live"]').waitFor();
    // what the consumer reports when it gives up on a message (straight to the backend)
    const messageId = await h.failCreateTask(game, 'image service <timeout>');

    const row = processing.locator(`tr[data-message-id="${messageId}"]`);
    await processing.locator(`tr[data-message-id="${messageId}"][data-status="failed"]`).waitFor();
    expect(await row.locator('.error-text').textContent()).to.equal('image service <timeout>');
    expect(await row.locator('td[data-label="Attempts"]').textContent()).to.equal('4');
    await row.getByRole('button', { name: 'Retry' }).click();
    await processing.getByText(`Retry queued for create event of game #${game.id}.`).waitFor();
    await waitFor('the task to leave the failed state', async () => {
      const status = await row.getAttribute('data-status');
      return status !== null && status !== 'failed';
    });
    expect(await row.getByRole('button', { name: 'Retry' }).count()).to.equal(0);
    await processing.close();
  });

  it('shows a task whose message went missing as stalled, and lets a keyboard user re-drive it', async () => {
    // no consumer runs yet, so nothing reports on the event: its task waits and stalls
    const game = await h.createGame(`Illusion of Time ${uniqueName('t')}`);
    const [task] = (await (await fetch(`${h.base}/api/tasks?gameId=${game.id}`)).json()) as {
      messageId: string;
      updatedAt: string;
    }[];
    const processing = await h.open('/processing.html');
    await processing.locator('#live-state[data-mode="live"]').waitFor();
    const row = processing.locator(`tr[data-message-id="${task!.messageId}"]`);
    await row.locator('.badge[data-status="pending"]').waitFor();

    // the page re-reads on its own: the row turns stalled with no reload and no stream frame
    await processing
      .locator(`tr[data-message-id="${task!.messageId}"][data-stalled="true"]`)
      .waitFor();
    const badge = row.locator('.badge-stalled');
    expect(await badge.getAttribute('title')).to.match(
      /^No progress for \d+ seconds; its message may be lost$/,
    );
    expect(await row.locator('.badge[data-status]').textContent()).to.equal('Pending');
    await waitFor(
      'the stalled count',
      async () =>
        Number(await processing.locator('.count-stalled .count-number').textContent()) >= 1,
    );
    await processing.getByLabel('Status', { exact: true }).selectOption('stalled');
    await waitFor('only stalled rows', async () => {
      const flags = await processing
        .locator('#task-rows tr')
        .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-stalled')));
      return flags.length > 0 && flags.every((f) => f === 'true');
    });

    // focus survives the periodic re-read that replaces the rows
    const retry = row.getByRole('button', { name: 'Retry' });
    await retry.focus();
    await retry.evaluate((button) => button.setAttribute('data-before-reread', ''));
    await waitFor(
      'the rows to be re-read',
      async () => (await row.locator('button[data-before-reread]').count()) === 0,
    );
    expect(await activeElementLabel(processing)).to.equal(`Retry message ${task!.messageId}`);

    await processing.keyboard.press('Enter');
    await processing.getByText(`Retry queued for create event of game #${game.id}.`).waitFor();
    const retried = (await (await fetch(`${h.base}/api/tasks/${task!.messageId}`)).json()) as {
      status: string;
      attempts: number;
      updatedAt: string;
    };
    expect(retried).to.include({ status: 'pending', attempts: 0 });
    expect(Date.parse(retried.updatedAt)).to.be.greaterThan(Date.parse(task!.updatedAt));
    await processing.close();
  });

  it('shows a task reaching completed on the processing page and the card without reloading', async () => {
    const game = await h.createGame(`Secret of Evermore ${uniqueName('t')}`);
    const catalog = await h.open(`/?search=${encodeURIComponent(game.title)}`);
    const processing = await h.open('/processing.html');
    await catalog.locator('body[data-live="live"]').waitFor();
    await processing.locator('#live-state[data-mode="live"]').waitFor();
    const row = processing.locator('tr', {
      has: processing.locator(`[data-game-cell="${game.id}"]`),
    });
    await row.waitFor();
    expect(await row.locator('.badge[data-status]').textContent()).to.equal('Pending');
    expect(await row.locator('[data-game-cell]').textContent()).to.equal(
      `#${game.id} ${game.title}`,
    );
    expect(await card(catalog, game.title).locator('.badge').textContent()).to.equal('Pending');
    for (const page of [catalog, processing]) {
      await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    }

    // its retry tiers (base 100 ms) are deleted with the test's queues
    h.resources.retryDelaysMs.add(100);
    consumer = await startConsumer({
      queues: h.queues,
      config: {
        BACKEND_URL: h.backend.url,
        INTERNAL_API_TOKEN: TOKEN,
        CONSUMER_PORT: 0,
        PROCESSING_DELAY_MS: 100,
        RETRY_DELAY_MS: 100,
        LOG_LEVEL: 'error',
      },
    });

    await processing.locator(`tr[data-status="completed"] [data-game-cell="${game.id}"]`).waitFor();
    expect(await row.locator('.badge[data-status]').textContent()).to.equal('Completed');
    await card(catalog, game.title).locator('.badge[data-status="completed"]').waitFor();
    for (const page of [catalog, processing]) {
      expect(await page.evaluate(() => 'notReloaded' in globalThis)).to.equal(true);
    }
    await waitFor(
      'the completed count',
      async () =>
        Number(await processing.locator('.count-completed .count-number').textContent()) >= 1,
    );

    await catalog.goto(`${h.base}/`);
    await catalog.locator('.card').first().waitFor();
    await catalog.screenshot({ path: `${ARTIFACTS}catalog.png`, fullPage: true });
    await processing.screenshot({ path: `${ARTIFACTS}processing.png`, fullPage: true });
    await catalog.close();
    await processing.close();
  });
});
