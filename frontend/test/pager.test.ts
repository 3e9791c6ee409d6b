import { expect } from 'chai';
import { type Page } from 'playwright-core';
import { validGame, waitFor } from '@retro/common/testing';
import { startPagesEnv, type PagesEnv } from './pages-env.js';

describe('the catalog pager in a browser', function () {
  this.timeout(60_000);
  let env: PagesEnv;

  before(async function () {
    this.timeout(180_000);
    env = await startPagesEnv('pager', { token: 'test-token-0123456789' });
    // 10 seed games + 20: three pages of 12
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${env.backend.url}/api/games`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(validGame({ title: `Pager Game ${String(i).padStart(2, '0')}` })),
      });
      expect(res.status).to.equal(201);
    }
  });

  after(() => env?.stop());

  const titles = (page: Page) => page.locator('.card-title').allTextContents();
  async function shown(page: Page, info: string): Promise<string[]> {
    await waitFor(`"${info}"`, async () =>
      (await page.locator('#page-info').textContent()) === info ? true : undefined,
    );
    return titles(page);
  }

  it('pages forward by cursor, keeps the page in the address bar, and pages back', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.base);
    const first = await shown(page, 'Page 1 of 3');
    expect(await page.locator('#result-summary').textContent()).to.match(/^30 games/);
    await page.getByRole('button', { name: /Next/ }).click();
    const second = await shown(page, 'Page 2 of 3');
    expect(second).to.have.length(12);
    expect(second.filter((t) => first.includes(t))).to.deep.equal([]);
    expect(page.url()).to.match(/page=2&after=/);

    // a reload, or the link shared, opens the same page
    await page.reload();
    expect(await shown(page, 'Page 2 of 3')).to.deep.equal(second);
    await page.getByRole('button', { name: /Next/ }).click();
    const third = await shown(page, 'Page 3 of 3');
    expect(third).to.have.length(6);
    expect(await page.getByRole('button', { name: /Next/ }).isDisabled()).to.equal(true);
    await page.getByRole('button', { name: /Previous/ }).click();
    expect(await shown(page, 'Page 2 of 3')).to.deep.equal(second);
    await page.getByRole('button', { name: /Previous/ }).click();
    expect(await shown(page, 'Page 1 of 3')).to.deep.equal(first);
    await page.close();
  });
});
