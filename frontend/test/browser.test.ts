import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '@retro/common/testing/browser';
import { startBackend, type RunningBackend } from '@retro/backend';
import { createLogger, type QueueNames } from '@retro/common';
import {
  BrokerProbe,
  PAGES_DIST_DIR,
  ensurePagesBuilt,
  testQueues,
  uniqueName,
  waitFor,
} from '@retro/common/testing';
import { createTestDatabase } from '@retro/database';
import { startConsumer, type RunningConsumer } from '@retro/message-consumer';
import { startFrontendServer, type FrontendServer } from '../server/src/index.js';

const TOKEN = 'test-token-0123456789';
/** Long enough for the other tests to finish with a task before it stalls. */
const STALLED_AFTER_MS = 3000;
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** The one browser global the tests read (this file compiles without the DOM types). */
interface BrowserGlobals {
  document: { activeElement: { id: string; getAttribute(name: string): string | null } | null };
}
const activeElementId = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.id);
const activeElementLabel = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as BrowserGlobals).document.activeElement?.getAttribute('aria-label'),
  );

interface GameJson {
  id: number;
  title: string;
  processingStatus: string;
}

describe('catalog and processing pages in a browser', function () {
  this.timeout(60_000);
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let queues: QueueNames;
  let backend: RunningBackend;
  let frontend: FrontendServer;
  let consumer: RunningConsumer | undefined;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(180_000);
    ensurePagesBuilt();
    db = await createTestDatabase('frontend');
    queues = testQueues('frontend');
    backend = await startBackend({
      config: {
        DB_NAME: db.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TOKEN,
        LOG_LEVEL: 'error',
        TASK_STALLED_AFTER_MS: STALLED_AFTER_MS,
      },
      queues,
    });
    frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: backend.url,
      distDir: PAGES_DIST_DIR,
      logger: createLogger('frontend', 'error'),
    });
    base = `http://127.0.0.1:${frontend.port}`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await consumer?.stop();
    await frontend?.stop();
    await backend?.stop();
    const probe = await BrokerProbe.open();
    await probe.deleteQueues(queues).catch(() => undefined);
    await probe.close();
    await db?.drop();
  });

  afterEach(function () {
    // an uncaught script error or a CSP violation in any page fails the test that caused it
    const errors = pageErrors.splice(0);
    if (this.currentTest?.state === 'passed') expect(errors).to.deep.equal([]);
  });

  async function open(path: string): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text()))
        pageErrors.push(`${path}: ${message.text()}`);
    });
    await page.goto(`${base}${path}`);
    return page;
  }

  async function createGame(title: string): Promise<GameJson> {
    const res = await fetch(`${base}/api/games`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        title,
        platformId: 2,
        genreId: 2,
        developer: 'Squaresoft',
        releaseYear: 1994,
        description: 'A party of heroes against an empire.',
      }),
    });
    expect(res.status).to.equal(201);
    return (await res.json()) as GameJson;
  }

  async function fillGameForm(page: Page, title: string): Promise<void> {
    const dialog = page.locator('#game-dialog');
    await dialog.getByLabel('Title').fill(title);
    await dialog.getByLabel('Platform').selectOption({ label: 'SNES' });
    await dialog.getByLabel('Genre').selectOption({ label: 'RPG' });
    await dialog.getByLabel('Developer').fill('Quintet');
    await dialog.getByLabel('Release year').fill('1995');
    await dialog.getByLabel('Description').fill('Ark rebuilds the world, one continent at a time.');
  }

  const card = (page: Page, title: string) =>
    page.locator('.card', { has: page.getByRole('button', { name: title, exact: true }) });

  async function search(page: Page, text: string): Promise<void> {
    await page.getByRole('searchbox', { name: 'Search' }).fill(text);
  }

  it('adds a game through the form and shows it in the grid with a queued-processing toast', async () => {
    const page = await open('/');
    await waitFor('the seeded games', async () => (await page.locator('.card').count()) === 10);
    const addButton = page.getByRole('button', { name: '+ Add game' });

    // the dialog takes focus, Escape closes it and focus returns to the button that opened it
    await addButton.click();
    expect(await page.locator('#game-dialog').isVisible()).to.equal(true);
    expect(await activeElementId(page)).to.equal('game-title');
    await page.keyboard.press('Escape');
    await waitFor(
      'the dialog to close',
      async () => !(await page.locator('#game-dialog').isVisible()),
    );
    expect(await activeElementId(page)).to.equal('add-game');

    // client-side checks run before anything is sent
    await addButton.click();
    await page.locator('#game-dialog').getByRole('button', { name: 'Add game' }).click();
    expect(await page.locator('#game-title-error').textContent()).to.equal('Title is required.');
    expect(await activeElementId(page)).to.equal('game-title');

    const title = `Terranigma ${uniqueName('t')}`;
    await fillGameForm(page, title);
    await page.locator('#game-dialog').getByRole('button', { name: 'Add game' }).click();
    await page.getByText(`Added “${title}”. Processing has been queued.`).waitFor();

    await search(page, title);
    await waitFor(
      'the search to narrow the grid',
      async () => (await page.locator('.card').count()) === 1,
    );
    await card(page, title).waitFor();
    expect(await card(page, title).locator('.badge').textContent()).to.equal('Pending');
    expect(await card(page, title).locator('.card-meta').textContent()).to.equal('SNESRPG1995');
    await page.close();
  });

  it('lets a viewer retry a failed task from the processing page', async () => {
    const game = await createGame(`Soul Blazer ${uniqueName('t')}`);
    const processing = await open('/processing.html');
    await processing.locator('#live-state[data-mode="live"]').waitFor();
    const [task] = (await (await fetch(`${base}/api/tasks?gameId=${game.id}`)).json()) as {
      messageId: string;
    }[];
    // what the consumer reports when it gives up on a message (straight to the backend)
    const failed = await fetch(`${backend.url}/api/internal/tasks/${task!.messageId}/status`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        status: 'failed',
        type: 'game',
        gameId: game.id,
        action: 'create',
        attempts: 4,
        error: 'image service <timeout>',
      }),
    });
    expect(failed.status).to.equal(200);

    const row = processing.locator(`tr[data-message-id="${task!.messageId}"]`);
    await processing
      .locator(`tr[data-message-id="${task!.messageId}"][data-status="failed"]`)
      .waitFor();
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
    const game = await createGame(`Illusion of Time ${uniqueName('t')}`);
    const [task] = (await (await fetch(`${base}/api/tasks?gameId=${game.id}`)).json()) as {
      messageId: string;
      updatedAt: string;
    }[];
    const processing = await open('/processing.html');
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
    const retried = (await (await fetch(`${base}/api/tasks/${task!.messageId}`)).json()) as {
      status: string;
      attempts: number;
      updatedAt: string;
    };
    expect(retried).to.include({ status: 'pending', attempts: 0 });
    expect(Date.parse(retried.updatedAt)).to.be.greaterThan(Date.parse(task!.updatedAt));
    await processing.close();
  });

  it('shows a task reaching completed on the processing page and the card without reloading', async () => {
    const game = await createGame(`Secret of Evermore ${uniqueName('t')}`);
    const catalog = await open(`/?search=${encodeURIComponent(game.title)}`);
    const processing = await open('/processing.html');
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

    consumer = await startConsumer({
      queues,
      config: {
        BACKEND_URL: backend.url,
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

    await catalog.goto(`${base}/`);
    await catalog.locator('.card').first().waitFor();
    await catalog.screenshot({ path: `${ARTIFACTS}catalog.png`, fullPage: true });
    await processing.screenshot({ path: `${ARTIFACTS}processing.png`, fullPage: true });
    await catalog.close();
    await processing.close();
  });

  it('edits a game and then deletes it through the dialogs', async () => {
    const game = await createGame(`Lufia ${uniqueName('t')}`);
    const page = await open(`/?search=${encodeURIComponent(game.title)}`);
    await card(page, game.title).getByRole('button').click();
    const view = page.locator('#view-dialog');
    expect(await view.getByRole('heading').textContent()).to.equal(game.title);
    await view.getByRole('button', { name: 'Edit' }).click();

    const form = page.locator('#game-dialog');
    expect(await form.getByLabel('Title').inputValue()).to.equal(game.title);
    const renamed = `${game.title} II`;
    await form.getByLabel('Title').fill(renamed);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`Saved “${renamed}”. Processing has been queued.`).waitFor();
    await search(page, renamed);
    await card(page, renamed).waitFor();

    await card(page, renamed).getByRole('button').click();
    await view.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.locator('#delete-dialog');
    expect(await confirm.locator('#delete-text').textContent()).to.include(renamed);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Deleted “${renamed}”.`, { exact: false }).waitFor();
    await page.getByText('No games match.').waitFor();
    expect((await fetch(`${base}/api/games/${game.id}`)).status).to.equal(404);
    await page.close();
  });

  it('shows a field error from the server beside the field it names', async () => {
    const page = await open('/');
    // the form would stop a 101-character title itself, so change the request on its way out
    await page.route('**/api/games', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, title: 'x'.repeat(101) }) });
    });
    await page.getByRole('button', { name: '+ Add game' }).click();
    await fillGameForm(page, 'Illusion of Gaia');
    await page.locator('#game-dialog').getByRole('button', { name: 'Add game' }).click();
    await page.locator('#game-title-error').getByText('must be at most 100 characters').waitFor();
    expect(await page.locator('#game-title').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('#game-dialog').isVisible()).to.equal(true);
    expect(await page.locator('#game-developer-error').textContent()).to.equal('');
    await page.close();
  });

  it('shows a title containing HTML as text and never runs it', async () => {
    const token = uniqueName('html');
    const title = `<b>Bold ${token}</b><img src=x onerror="window.hacked=1">`;
    const page = await open('/');
    await page.getByRole('button', { name: '+ Add game' }).click();
    await fillGameForm(page, title);
    await page.locator('#game-dialog').getByRole('button', { name: 'Add game' }).click();
    await page.locator('.toast').first().waitFor();
    await search(page, token);
    const shown = card(page, title);
    await shown.waitFor();
    expect(await shown.locator('.card-title').textContent()).to.equal(title);
    expect(await shown.locator('b, img[src="x"]').count()).to.equal(0);

    await shown.getByRole('button').click();
    expect(await page.locator('#view-title').textContent()).to.equal(title);
    expect(await page.locator('#view-content b').count()).to.equal(0);
    expect(await page.evaluate(() => 'hacked' in globalThis)).to.equal(false);
    await page.close();
  });
});
