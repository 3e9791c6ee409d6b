// The catalog page in Chromium: add, view, edit and delete games through the dialogs.
import { expect } from 'chai';
import { type Page } from 'playwright-core';
import { uniqueName, waitFor } from '@retro/common/testing';
import { activeElementId, card, useBrowserHarness } from './browser-harness.js';

describe('catalog page in a browser', function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_catalog');

  async function fillGameForm(page: Page, title: string): Promise<void> {
    const dialog = page.locator('#game-dialog');
    await dialog.getByLabel('Title').fill(title);
    await dialog.getByLabel('Platform').selectOption({ label: 'SNES' });
    await dialog.getByLabel('Genre').selectOption({ label: 'RPG' });
    await dialog.getByLabel('Developer').fill('Quintet');
    await dialog.getByLabel('Release year').fill('1995');
    await dialog.getByLabel('Description').fill('Ark rebuilds the world, one continent at a time.');
  }

  async function search(page: Page, text: string): Promise<void> {
    await page.getByRole('searchbox', { name: 'Search' }).fill(text);
  }

  it('adds a game through the form and shows it in the grid with a queued-processing toast', async () => {
    const page = await h.open('/');
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

  it('edits a game and then deletes it through the dialogs', async () => {
    const game = await h.createGame(`Lufia ${uniqueName('t')}`);
    const page = await h.open(`/?search=${encodeURIComponent(game.title)}`);
    await card(page, game.title).getByRole('button').click();
    const view = page.locator('#view-dialog');
    expect(await view.getByRole('heading').textContent()).to.equal(game.title);
    await view.getByRole('button', { name: 'Edit' }).click();

    const form = page.locator('#game-dialog');
    await form.waitFor();
    expect(await form.getByLabel('Title').inputValue()).to.equal(game.title);
    const renamed = `${game.title} II`;
    await form.getByLabel('Title').fill(renamed);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`Saved “${renamed}”. Processing has been queued.`).waitFor();
    await search(page, renamed);
    await card(page, renamed).waitFor();

    await card(page, renamed).getByRole('button').click();
    await view.getByRole('button', { name: 'Delete' }).click();
    // the confirmation reads the game as it is now, and names it
    const confirm = page.locator('#delete-dialog');
    await confirm.waitFor();
    expect(await confirm.locator('#delete-text').textContent()).to.include(renamed);
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await page.getByText(`Deleted “${renamed}”.`, { exact: false }).waitFor();
    await page.getByText('No games match.').waitFor();
    expect((await fetch(`${h.base}/api/games/${game.id}`)).status).to.equal(404);
    await page.close();
  });

  it('shows a field error from the server beside the field it names', async () => {
    const page = await h.open('/');
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
    const page = await h.open('/');
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
