// Signing in on the catalog pages in Chromium: the header's account area, the sign-in and
// change-password dialogs (keyboard, errors announced, no WCAG 2.1 AA violations), and a session
// that ends in the middle of an edit: the sign-in form appears and the edit then completes.
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { addAccount, SESSION_COOKIE, secretDigest } from '@retro/common';
import { TEST_PASSWORD, uniqueName, waitFor, type TestAccount } from '@retro/common/testing';
import { accessibilityViolations } from './axe.js';
import { activeElementId, card, useBrowserHarness } from './browser-harness.js';

describe('signing in on the catalog pages in a browser', function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_sign_in');

  /** An editor of the test's own, so changing its password or ending its session touches no other test. */
  async function ownEditor(prefix: string): Promise<TestAccount> {
    const username = uniqueName(prefix).replace(/_/g, '-');
    await addAccount(h.resources.sql, username, 'editor', TEST_PASSWORD);
    return { username, role: 'editor', password: TEST_PASSWORD, token: '' };
  }

  async function signInThroughForm(
    page: Page,
    account: Pick<TestAccount, 'username' | 'password'>,
  ) {
    const dialog = page.locator('#sign-in-dialog');
    await dialog.getByLabel('User name').fill(account.username);
    await dialog.getByLabel('Password').fill(account.password);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
  }

  it('signs an anonymous visitor in through the dialog, with errors announced, and out again', async () => {
    const page = await h.open('/', { context: await h.newContext('anonymous') });
    await page.locator('.card').first().waitFor();
    await page.getByText('Not signed in').waitFor();
    expect(await page.getByRole('button', { name: '+ Add game' }).count()).to.equal(0);
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.locator('#sign-in-dialog');
    await dialog.waitFor();
    expect(await activeElementId(page)).to.equal('sign-in-username');
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    // nothing typed: each field says so, and focus goes to the first
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('#sign-in-username-error').textContent()).to.equal(
      'Enter your user name.',
    );
    expect(await dialog.getByLabel('User name').getAttribute('aria-invalid')).to.equal('true');
    expect(await activeElementId(page)).to.equal('sign-in-username');

    // a wrong password: the alert region says so (announced), the password is ready to retype
    await signInThroughForm(page, {
      username: h.accounts.editor.username,
      password: 'wrong-one-1234',
    });
    await dialog.getByRole('alert').getByText('Wrong user name or password.').waitFor();
    expect(await activeElementId(page)).to.equal('sign-in-password');

    await signInThroughForm(page, h.accounts.editor);
    await page.locator('#account-name', { hasText: 'test-editor' }).waitFor();
    expect(await page.locator('#account-role').textContent()).to.equal('editor');
    expect(await dialog.isVisible()).to.equal(false);
    // the dialog closes (an event of its own), then focus goes where Sign in was
    await waitFor(
      'focus on Change password',
      async () => (await activeElementId(page)) === 'change-password',
    );
    await page.getByRole('button', { name: '+ Add game' }).waitFor();
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('Not signed in').waitFor();
    await page.getByText('You are signed out.').waitFor();
    await waitFor('focus on Sign in', async () => (await activeElementId(page)) === 'sign-in');
    expect(await page.getByRole('button', { name: '+ Add game' }).count()).to.equal(0);
    await page.close();
  });

  it('changes the password of the signed-in account after checking the current one', async () => {
    const account = await ownEditor('pw');
    const page = await h.open('/processing.html', { as: account });
    await page.locator('#account-name', { hasText: account.username }).waitFor();
    await page.getByRole('button', { name: 'Change password' }).click();
    const dialog = page.locator('#password-dialog');
    await dialog.waitFor();
    expect(await activeElementId(page)).to.equal('password-current');
    expect(await accessibilityViolations(page)).to.deep.equal([]);

    await dialog.getByLabel('Current password').fill('not-the-password');
    await dialog.getByLabel('New password').fill('short');
    await dialog.getByRole('button', { name: 'Change password' }).click();
    expect(await page.locator('#password-new-error').textContent()).to.match(
      /10 to 200 characters/,
    );

    const renewed = 'a-new-password-5678';
    await dialog.getByLabel('New password').fill(renewed);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await dialog
      .getByRole('alert')
      .getByText(/the current password is wrong/)
      .waitFor();
    expect(await page.locator('#password-current-error').textContent()).to.equal(
      'This is not your current password.',
    );

    await dialog.getByLabel('Current password').fill(TEST_PASSWORD);
    await dialog.getByLabel('New password').fill(renewed);
    await dialog.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password was changed.').waitFor();

    const signIn = (password: string) =>
      fetch(`${h.base}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: account.username, password }),
      });
    expect((await signIn(renewed)).status).to.equal(200);
    expect((await signIn(TEST_PASSWORD)).status).to.equal(401);
    await page.close();
  });

  it('when the session ends in the middle of an edit, the save signs in again and then completes', async () => {
    const account = await ownEditor('expiring');
    const game = await h.createGame(`Ogre Battle ${uniqueName('t')}`);
    const context: BrowserContext = await h.newContext(account);
    const page = await h.open(`/?search=${encodeURIComponent(game.title)}`, { context });
    await card(page, game.title).getByRole('button').click();
    await page.locator('#view-dialog').getByRole('button', { name: 'Edit' }).click();
    const form = page.locator('#game-dialog');
    await form.waitFor();
    const renamed = `${game.title} Saga`;
    await form.getByLabel('Title').fill(renamed);

    // the session row goes (as an expiry or another tab's sign-out would take it)
    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE)!;
    await h.resources.sql.query('DELETE FROM sessions WHERE id_hash = ?', [
      secretDigest(cookie.value),
    ]);
    await waitFor('the backend to stop accepting the session', async () => {
      const res = await fetch(`${h.base}/api/session`, {
        headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` },
      });
      return res.status === 401;
    });

    await form.getByRole('button', { name: 'Save changes' }).click();
    const signIn = page.locator('#sign-in-dialog');
    await signIn.waitFor();
    expect(await signIn.locator('#sign-in-dialog-why').textContent()).to.match(/session has ended/);
    // who was signed in is filled in: only the password is asked for
    expect(await signIn.getByLabel('User name').inputValue()).to.equal(account.username);
    expect(await activeElementId(page)).to.equal('sign-in-password');
    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await signInThroughForm(page, account);

    await page.getByText(`Saved “${renamed}”. Processing has been queued.`).waitFor();
    expect(await form.isVisible()).to.equal(false);
    const saved = (await (await fetch(`${h.base}/api/games/${game.id}`)).json()) as GameTitle;
    expect(saved.title).to.equal(renamed);
    await page.close();
  });
});

interface GameTitle {
  title: string;
}

describe('a catalog that lets nobody read without signing in, in a browser', function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_sign_in_none', { anonymousRole: 'none' });

  it('asks for a sign-in as the page loads, then shows the games it could not read before', async () => {
    const page = await h.open('/', { as: 'anonymous' });
    const dialog = page.locator('#sign-in-dialog');
    await dialog.waitFor();
    await dialog.getByLabel('User name').fill(h.accounts.viewer.username);
    await dialog.getByLabel('Password').fill(h.accounts.viewer.password);
    await dialog.getByRole('button', { name: 'Sign in' }).click();
    await waitFor('the seeded games', async () => (await page.locator('.card').count()) === 10);
    expect(await page.locator('#account-role').textContent()).to.equal('viewer');
    // a viewer reads, and gets no control to change anything
    expect(await page.getByRole('button', { name: '+ Add game' }).count()).to.equal(0);
    await page.close();
  });
});
