// The catalog pages in Chromium in front of a real backend (own database, queues and accounts):
// the set-up the browser test files share. Any script error or CSP violation in a page fails its
// test. Pages open signed in as a role (a session cookie from the test kit), or anonymous.
import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { startBackend, type RunningBackend } from '@retro/backend';
import { createLogger, SESSION_COOKIE, type QueueNames } from '@retro/common';
import type { Role } from '@retro/common/api';
import {
  PAGES_DIST_DIR,
  ensurePagesBuilt,
  signInSession,
  type TestAccount,
  type TestAccounts,
} from '@retro/common/testing';
import { openTestResources, type TestResources } from '@retro/database/testing';
import {
  startFrontendServer,
  type FrontendServer,
  type FrontendServerOptions,
} from '../server/src/index.js';

export const TOKEN = 'test-token-0123456789';
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** Who a tab is: a role's test account (signed in), another account, or nobody. */
export type Visitor = Role | 'anonymous' | TestAccount;

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

export interface OpenOptions {
  /** Whose tab it is: the editor's by default (a context per role, shared by the file's tests). */
  as?: Visitor;
  /** A context of the test's own (`newContext`) instead. */
  context?: BrowserContext;
  /** Called with the tab before it navigates (to listen to its requests from the first). */
  watch?: (page: Page) => void;
}

export interface BrowserHarness {
  backend: RunningBackend;
  queues: QueueNames;
  /** The test's database (a pool on it), and one account per role. */
  resources: TestResources;
  accounts: TestAccounts;
  /** The frontend server's address. */
  base: string;
  /** Opens `path` in a new tab that reports its script errors and CSP violations. */
  open(path: string, options?: OpenOptions): Promise<Page>;
  /** A browser context of its own (own cookies), signed in as `as` through the test kit. */
  newContext(as: Visitor): Promise<BrowserContext>;
  /** Adds a game through the API as the editor (a task for its create event comes with it). */
  createGame(title: string): Promise<GameJson>;
  /**
   * Marks the task of `game`'s create event failed with `error`, as the consumer reports a
   * message it gave up on (straight to the backend's internal route); returns its message id.
   */
  failCreateTask(game: GameJson, error: string): Promise<string>;
}

/**
 * Registers the hooks that start the backend, the frontend server in front of it and Chromium for
 * the calling `describe`, and stop them after it.
 */
export function useBrowserHarness(
  prefix: string,
  options: {
    stalledAfterMs?: number;
    links?: FrontendServerOptions['links'];
    /** The backend's AUTH_ANONYMOUS_ROLE: `none` makes every read need a sign-in. */
    anonymousRole?: 'viewer' | 'none';
    /** How often the backend samples the flow (the charts); 5 s by default. */
    flowIntervalMs?: number;
  } = {},
): BrowserHarness {
  let frontend: FrontendServer;
  let browser: Browser;
  const contexts = new Map<string, Promise<BrowserContext>>();
  const owned: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const harness = { open, newContext, createGame, failCreateTask } as BrowserHarness;

  before(async function () {
    requireChromium(this);
    this.timeout(180_000);
    ensurePagesBuilt();
    harness.resources = await openTestResources(prefix);
    harness.accounts = harness.resources.accounts;
    harness.queues = harness.resources.queues;
    harness.backend = await startBackend({
      config: {
        DB_NAME: harness.resources.database.database,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TOKEN,
        LOG_LEVEL: 'error',
        ...(options.stalledAfterMs && { TASK_STALLED_AFTER_MS: options.stalledAfterMs }),
        ...(options.anonymousRole && { AUTH_ANONYMOUS_ROLE: options.anonymousRole }),
      },
      queues: harness.queues,
      ...(options.flowIntervalMs && { flow: { intervalMs: options.flowIntervalMs } }),
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
    await mkdir(ARTIFACTS, { recursive: true });
  });

  after(async () => {
    for (const context of owned) await context.close();
    await browser?.close();
    await frontend?.stop();
    await harness.backend?.stop();
    await harness.resources?.release();
  });

  afterEach(function () {
    const errors = pageErrors.splice(0);
    if (this.currentTest?.state === 'passed') expect(errors).to.deep.equal([]);
  });

  async function newContext(as: Visitor): Promise<BrowserContext> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    owned.push(context);
    if (as !== 'anonymous') {
      const account = typeof as === 'string' ? harness.accounts[as] : as;
      const value = await signInSession(harness.base, account);
      await context.addCookies([{ name: SESSION_COOKIE, value, url: harness.base }]);
    }
    return context;
  }

  async function open(
    path: string,
    { as = 'editor', context, watch }: OpenOptions = {},
  ): Promise<Page> {
    let tabs = context;
    if (!tabs) {
      const key = typeof as === 'string' ? as : as.username;
      if (!contexts.has(key)) contexts.set(key, newContext(as));
      tabs = await contexts.get(key)!;
    }
    const page = await tabs.newPage();
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
      headers: {
        'Content-Type': 'application/json',
        Authorization: `Bearer ${harness.accounts.editor.token}`,
      },
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

  async function failCreateTask(game: GameJson, error: string): Promise<string> {
    const [task] = (await (await fetch(`${harness.base}/api/tasks?gameId=${game.id}`)).json()) as {
      messageId: string;
    }[];
    const res = await fetch(`${harness.backend.url}/api/internal/tasks/${task!.messageId}/status`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        status: 'failed',
        type: 'game',
        gameId: game.id,
        action: 'create',
        attempts: 4,
        error,
      }),
    });
    expect(res.status).to.equal(200);
    return task!.messageId;
  }

  return harness;
}
