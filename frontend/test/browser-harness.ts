// The catalog pages in Chromium in front of a real backend (own database and queues): the set-up
// the browser test files share. Any script error or CSP violation in a page fails its test.
import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '@retro/common/testing/browser';
import { startBackend, type RunningBackend } from '@retro/backend';
import { createLogger, type QueueNames } from '@retro/common';
import { BrokerProbe, PAGES_DIST_DIR, ensurePagesBuilt, testQueues } from '@retro/common/testing';
import { createTestDatabase } from '@retro/database/testing';
import {
  startFrontendServer,
  type FrontendServer,
  type FrontendServerOptions,
} from '../server/src/index.js';

export const TOKEN = 'test-token-0123456789';
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface GameJson {
  id: number;
  title: string;
  processingStatus: string;
}

/** The one browser global the tests read (this file compiles without the DOM types). */
interface BrowserGlobals {
  document: { activeElement: { id: string; getAttribute(name: string): string | null } | null };
}
export const activeElementId = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as BrowserGlobals).document.activeElement?.id);
export const activeElementLabel = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as BrowserGlobals).document.activeElement?.getAttribute('aria-label'),
  );

/** The card of the game titled `title`. */
export const card = (page: Page, title: string) =>
  page.locator('.card', { has: page.getByRole('button', { name: title, exact: true }) });

export interface BrowserHarness {
  backend: RunningBackend;
  queues: QueueNames;
  /** The frontend server's address. */
  base: string;
  /**
   * Opens `path` in a new tab that reports its script errors and CSP violations; `watch` is
   * called with the tab before it navigates (to listen to its requests from the first).
   */
  open(path: string, watch?: (page: Page) => void): Promise<Page>;
  /** Adds a game through the API (a task for its create event comes with it). */
  createGame(title: string): Promise<GameJson>;
}

/**
 * Registers the hooks that start the backend, the frontend server in front of it and Chromium for
 * the calling `describe`, and stop them after it.
 */
export function useBrowserHarness(
  prefix: string,
  options: { stalledAfterMs?: number; links?: FrontendServerOptions['links'] } = {},
): BrowserHarness {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let frontend: FrontendServer;
  let browser: Browser;
  let context: BrowserContext;
  const pageErrors: string[] = [];
  const harness = { open, createGame } as BrowserHarness;

  before(async function () {
    this.timeout(180_000);
    ensurePagesBuilt();
    db = await createTestDatabase(prefix);
    harness.queues = testQueues(prefix);
    harness.backend = await startBackend({
      config: {
        DB_NAME: db.settings.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TOKEN,
        LOG_LEVEL: 'error',
        ...(options.stalledAfterMs && { TASK_STALLED_AFTER_MS: options.stalledAfterMs }),
      },
      queues: harness.queues,
    });
    frontend = await startFrontendServer({
      port: 0,
      host: '127.0.0.1',
      backendUrl: harness.backend.url,
      distDir: PAGES_DIST_DIR,
      links: options.links,
      logger: createLogger('frontend', 'error'),
    });
    harness.base = `http://127.0.0.1:${frontend.port}`;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await frontend?.stop();
    await harness.backend?.stop();
    const probe = await BrokerProbe.open();
    if (harness.queues) await probe.deleteQueues(harness.queues).catch(() => undefined);
    await probe.close();
    await db?.drop();
  });

  afterEach(function () {
    const errors = pageErrors.splice(0);
    if (this.currentTest?.state === 'passed') expect(errors).to.deep.equal([]);
  });

  async function open(path: string, watch?: (page: Page) => void): Promise<Page> {
    const page = await context.newPage();
    watch?.(page);
    page.on('pageerror', (error) => pageErrors.push(`${path}: ${error.message}`));
    page.on('console', (message) => {
      if (/content security policy/i.test(message.text()))
        pageErrors.push(`${path}: ${message.text()}`);
    });
    await page.goto(`${harness.base}${path}`);
    return page;
  }

  async function createGame(title: string): Promise<GameJson> {
    const res = await fetch(`${harness.base}/api/games`, {
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

  return harness;
}
