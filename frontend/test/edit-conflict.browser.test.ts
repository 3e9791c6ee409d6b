// Two editors in two browsers edit the same game in Chromium: the second save meets the first
// one's version (ETag / If-Match → 412), names who changed it, and nothing is written over
// anyone's change without a choice: Reload shows theirs, Overwrite saves over it knowingly.
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { addAccount } from '@retro/common';
import { TEST_PASSWORD, uniqueName, type TestAccount } from '@retro/common/testing';
import { accessibilityViolations } from './axe.js';
import { card, useBrowserHarness, type GameJson } from './browser-harness.js';

interface GameFields {
  title: string;
  description: string;
}

describe('two editors editing one game in a browser', function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_edit_conflict');
  let second: TestAccount;

  before(async () => {
    second = { username: 'editor-ada', role: 'editor', password: TEST_PASSWORD, token: '' };
    await addAccount(h.resources.sql, second.username, 'editor', TEST_PASSWORD);
  });

  /** Opens the game's edit form in a browser of the editor's own. */
  async function editForm(game: GameJson, as: TestAccount): Promise<Page> {
    const context = await h.newContext(as);
    const page = await h.open(`/?search=${encodeURIComponent(game.title)}`, { context });
    await card(page, game.title).getByRole('button').click();
    await page.locator('#view-dialog').getByRole('button', { name: 'Edit' }).click();
    await page.locator('#game-dialog').waitFor();
    return page;
  }

  const stored = async (id: number) =>
    (await (await fetch(`${h.base}/api/games/${id}`)).json()) as GameFields;

  it('shows the second editor who saved first, and Reload brings their change into the form', async () => {
    const game = await h.createGame(`Soul Blazer ${uniqueName('t')}`);
    const first = await editForm(game, h.accounts.editor);
    const later = await editForm(game, second);

    const theirs = 'Rewritten by the first editor: the hero frees the souls of a whole world.';
    await first.getByLabel('Description').fill(theirs);
    await first.getByRole('button', { name: 'Save changes' }).click();
    await first.getByText(`Saved “${game.title}”.`, { exact: false }).waitFor();

    const form = later.locator('#game-dialog');
    await form.getByLabel('Title').fill(`${game.title} (Ada)`);
    await form.getByRole('button', { name: 'Save changes' }).click();
    const notice = form.locator('#conflict-text');
    await notice.getByText('was changed by test-editor').waitFor();
    expect(await form.isVisible()).to.equal(true);
    expect(await accessibilityViolations(later)).to.deep.equal([]);
    // the first editor's change is still what is stored
    expect(await stored(game.id)).to.include({ title: game.title, description: theirs });

    await form.getByRole('button', { name: 'Reload' }).click();
    expect(await form.getByLabel('Description').inputValue()).to.equal(theirs);
    expect(await form.getByLabel('Title').inputValue()).to.equal(game.title);
    expect(await notice.textContent()).to.equal('');

    // saved on top of the version now in the form: both changes are kept
    await form.getByLabel('Title').fill(`${game.title} (Ada)`);
    await form.getByRole('button', { name: 'Save changes' }).click();
    await later.getByText(`Saved “${game.title} (Ada)”.`, { exact: false }).waitFor();
    expect(await stored(game.id)).to.include({ title: `${game.title} (Ada)`, description: theirs });
    await first.close();
    await later.close();
  });

  it('lets the second editor overwrite the first change knowingly, with the newer version', async () => {
    const game = await h.createGame(`Terranigma ${uniqueName('t')}`);
    const first = await editForm(game, h.accounts.editor);
    const later = await editForm(game, second);

    await first.getByLabel('Developer').fill('Quintet and friends');
    await first.getByRole('button', { name: 'Save changes' }).click();
    await first.getByText(`Saved “${game.title}”.`, { exact: false }).waitFor();

    const form = later.locator('#game-dialog');
    await form.getByLabel('Developer').fill('Enix');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.locator('#conflict-text').getByText('was changed by test-editor').waitFor();
    const overwrite = form.getByRole('button', { name: 'Overwrite' });
    expect(await overwrite.getAttribute('class')).to.include('danger');
    await overwrite.click();
    await later.getByText(`Saved “${game.title}”.`, { exact: false }).waitFor();
    expect(await stored(game.id)).to.include({ developer: 'Enix' });
    await first.close();
    await later.close();
  });
});
