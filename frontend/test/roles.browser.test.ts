// What each role sees and may do on the catalog and processing pages in Chromium: controls a role
// may not use are not there at all, and one thing each role may do succeeds.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { uniqueName, waitFor } from '@retro/common/testing';
import { accessibilityViolations } from './axe.js';
import { card, useBrowserHarness, type Visitor } from './browser-harness.js';

const VISITORS = ['anonymous', 'viewer', 'editor', 'tester', 'operator'] as const;
const EDITS = new Set<Visitor>(['editor', 'tester', 'operator']);
const who = (as: Visitor) =>
  as === 'anonymous'
    ? 'an anonymous visitor'
    : `a${/^[aeiou]/.test(String(as)) ? 'n' : ''} ${String(as)}`;

describe('each role on the catalog pages in a browser', function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_roles');

  /** A failed task of a new game (what the consumer reports when it gives up). */
  async function header(page: Page, as: Visitor): Promise<void> {
    if (as === 'anonymous') {
      await page.getByText('Not signed in').waitFor();
      await page.getByRole('button', { name: 'Sign in' }).waitFor();
    } else {
      await page.locator('#account-role', { hasText: String(as) }).waitFor();
      expect(await page.locator('#account-name').textContent()).to.equal(`test-${String(as)}`);
      expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).to.equal(true);
    }
  }

  for (const as of VISITORS) {
    const edits = EDITS.has(as);

    it(`the catalog ${edits ? 'lets' : 'does not let'} ${who(as)} change games`, async () => {
      const game = await h.createGame(`Actraiser ${uniqueName(as)}`);
      const page = await h.open(`/?search=${encodeURIComponent(game.title)}`, { as });
      await header(page, as);
      await card(page, game.title).waitFor();
      expect(await page.getByRole('button', { name: '+ Add game' }).isVisible()).to.equal(edits);

      await card(page, game.title).getByRole('button').click();
      const view = page.locator('#view-dialog');
      await view.getByRole('heading', { name: game.title }).waitFor();
      expect(await view.getByRole('button', { name: 'Edit' }).isVisible()).to.equal(edits);
      expect(await view.getByRole('button', { name: 'Delete' }).isVisible()).to.equal(edits);
      expect(await accessibilityViolations(page)).to.deep.equal([]);
      if (!edits) {
        // what a reader may do: read the game's details
        expect(await view.locator('.facts').textContent()).to.include('Squaresoft');
        await page.close();
        return;
      }

      await view.getByRole('button', { name: 'Edit' }).click();
      const form = page.locator('#game-dialog');
      await form.waitFor();
      const renamed = `${game.title} (${as})`;
      await form.getByLabel('Title').fill(renamed);
      await form.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText(`Saved “${renamed}”. Processing has been queued.`).waitFor();
      await page.close();
    });

    it(`the processing page ${edits ? 'lets' : 'does not let'} ${who(as)} retry a failed task`, async () => {
      const game = await h.createGame(`Ys ${uniqueName(as)}`);
      const messageId = await h.failCreateTask(game, 'image service timeout');
      const page = await h.open('/processing.html', { as });
      await header(page, as);
      const row = page.locator(`tr[data-message-id="${messageId}"][data-status="failed"]`);
      await row.waitFor();
      expect(await row.getByRole('button', { name: 'Retry' }).count()).to.equal(edits ? 1 : 0);
      expect(await accessibilityViolations(page)).to.deep.equal([]);
      if (edits) {
        await row.getByRole('button', { name: 'Retry' }).click();
        await page.getByText(`Retry queued for create event of game #${game.id}.`).waitFor();
      } else {
        // what a reader may do: narrow the table to the failed tasks
        await page.getByLabel('Status', { exact: true }).selectOption('failed');
        await waitFor('only failed rows', async () => {
          const statuses = await page
            .locator('#task-rows tr')
            .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-status')));
          return statuses.length > 0 && statuses.every((s) => s === 'failed');
        });
      }
      await page.close();
    });
  }

  it('shows an editor the controls as soon as they sign in, and hides them again on sign-out', async () => {
    // a context of its own: the sign-in must not reach the other tests' anonymous tabs
    const context = await h.newContext('anonymous');
    // the failed task exists before the page loads: this test is about the controls, not the stream
    const game = await h.createGame(`Gemfire ${uniqueName('t')}`);
    const messageId = await h.failCreateTask(game, 'image service timeout');
    const page = await h.open('/processing.html', { context });
    const row = page.locator(`tr[data-message-id="${messageId}"][data-status="failed"]`);
    await row.waitFor();
    expect(await row.getByRole('button', { name: 'Retry' }).count()).to.equal(0);

    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.locator('#sign-in-dialog');
    await dialog.getByLabel('User name').fill(h.accounts.editor.username);
    await dialog.getByLabel('Password').fill(h.accounts.editor.password);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await row.getByRole('button', { name: 'Retry' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await row.getByRole('button', { name: 'Retry' }).waitFor({ state: 'detached' });
    await page.close();
  });
});
