// Paging on both pages in Chromium: "Next" asks for the page after the previous page's
// X-Next-Cursor, "Previous" reuses the cursors seen, the catalog keeps page and cursor in the
// address bar, a search pages by offset in relevance order.
import { expect } from 'chai';
import { type Page } from 'playwright-core';
import { waitFor } from '@retro/common/testing';
import { useBrowserHarness } from './browser-harness.js';

/** A list request the page made, and the cursor its answer gave for the page after it. */
interface ListCall {
  params: URLSearchParams;
  next: string | null;
}

describe('paging in a browser', function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_pager');
  const CREATED = 56; // with the 10 seeded games: 66 games (6 pages of 12), 56 tasks (2 of 50)

  before(async function () {
    this.timeout(120_000);
    for (let i = 0; i < CREATED; i += 8) {
      const batch = Array.from(
        { length: 8 },
        (_, j) => `Pager Game ${String(i + j).padStart(2, '0')}`,
      );
      await Promise.all(batch.map((title) => h.createGame(title)));
    }
  });

  /** Opens `path` recording every answer to `GET <api>`. */
  async function openRecording(path: string, api: string) {
    const calls: ListCall[] = [];
    const page = await h.open(path, {
      watch: (tab) =>
        tab.on('response', (response) => {
          const url = new URL(response.url());
          if (url.pathname !== api || response.request().method() !== 'GET') return;
          calls.push({
            params: url.searchParams,
            next: response.headers()['x-next-cursor'] ?? null,
          });
        }),
    });
    return { page, calls };
  }

  /** The page line reads `info`; the texts of `rows` then. */
  async function onPage(page: Page, info: string): Promise<void> {
    await waitFor(`"${info}"`, async () =>
      (await page.locator('#page-info').textContent()) === info ? true : undefined,
    );
  }
  /** The titles of the cards once the page line reads `info`. */
  async function cards(page: Page, info: string): Promise<string[]> {
    await onPage(page, info);
    return page.locator('.card-title').allTextContents();
  }
  /** The message ids of the task rows once the page line reads `info`. */
  async function taskIds(page: Page, info: string): Promise<(string | null)[]> {
    await onPage(page, info);
    const rows = await page.locator('#task-rows tr').all();
    return Promise.all(rows.map((row) => row.getAttribute('data-message-id')));
  }
  const next = (page: Page) => page.getByRole('button', { name: /Next/ }).click();
  const previous = (page: Page) => page.getByRole('button', { name: /Previous/ }).click();

  it('pages the catalog by cursor, keeps page and cursor in the address bar, and pages back', async () => {
    const { page, calls } = await openRecording('/', '/api/games');
    const first = await cards(page, 'Page 1 of 6');
    expect(await page.locator('#result-summary').textContent()).to.equal('66 games, showing 1–12');
    const cursor1 = calls.at(-1)?.next;
    expect(cursor1).to.be.a('string');

    await next(page);
    const second = await cards(page, 'Page 2 of 6');
    expect(calls.at(-1)?.params.get('after')).to.equal(cursor1);
    expect(second).to.have.length(12);
    expect(second.filter((t) => first.includes(t))).to.deep.equal([]);
    expect(new URL(page.url()).searchParams.get('page')).to.equal('2');
    expect(new URL(page.url()).searchParams.get('after')).to.equal(cursor1);
    const cursor2 = calls.at(-1)?.next;

    await next(page);
    const third = await cards(page, 'Page 3 of 6');
    expect(calls.at(-1)?.params.get('after')).to.equal(cursor2);
    expect(third.filter((t) => second.includes(t))).to.deep.equal([]);

    // back through the cursors already seen
    await previous(page);
    expect(await cards(page, 'Page 2 of 6')).to.deep.equal(second);
    expect(calls.at(-1)?.params.get('after')).to.equal(cursor1);

    // a reload (or the link shared) opens the same page by its cursor
    await page.reload();
    expect(await cards(page, 'Page 2 of 6')).to.deep.equal(second);
    expect(calls.at(-1)?.params.get('after')).to.equal(cursor1);
    expect(await page.locator('#result-summary').textContent()).to.equal('66 games, showing 13–24');
    await previous(page);
    expect(await cards(page, 'Page 1 of 6')).to.deep.equal(first);
    expect(page.url()).to.equal(`${h.base}/`);
    await page.close();
  });

  it('opens a linked page without a cursor, or with one the list refuses, by offset', async () => {
    const { page: byOffset, calls } = await openRecording('/?page=6', '/api/games');
    const last = await cards(byOffset, 'Page 6 of 6');
    expect(last).to.have.length(6);
    expect(calls.at(-1)?.params.get('offset')).to.equal('60');
    expect(await byOffset.getByRole('button', { name: /Next/ }).isDisabled()).to.equal(true);
    await byOffset.close();

    // a cursor of another sort order: refused (400 naming `after`), so the page is read by offset
    const { page, calls: refused } = await openRecording(
      '/?sort=-title&page=6&after=WyJ0aXRsZSIsIngiLDFd',
      '/api/games',
    );
    expect(await cards(page, 'Page 6 of 6')).to.have.length(6);
    expect(refused.at(-1)?.params.get('offset')).to.equal('60');
    expect(refused.at(-1)?.params.has('after')).to.equal(false);
    expect(new URL(page.url()).searchParams.has('after')).to.equal(false);
    await page.close();
  });

  it('searches in best-match order by default and pages the matches by offset', async () => {
    const { page, calls } = await openRecording('/', '/api/games');
    await cards(page, 'Page 1 of 6');
    const sort = page.getByLabel('Sort by');
    expect(await sort.locator('option:checked').textContent()).to.equal('Best match (A–Z)');
    await page.getByRole('searchbox', { name: 'Search' }).fill('pager');
    const first = await cards(page, 'Page 1 of 5');
    expect(calls.at(-1)?.params.get('sort')).to.equal('relevance');
    expect(first.every((t) => t.startsWith('Pager Game'))).to.equal(true);

    await next(page);
    const second = await cards(page, 'Page 2 of 5');
    expect(calls.at(-1)?.params.get('offset')).to.equal('12');
    expect(calls.at(-1)?.params.has('after')).to.equal(false);
    expect(second.filter((t) => first.includes(t))).to.deep.equal([]);
    const url = new URL(page.url()).searchParams;
    expect([url.get('search'), url.get('page'), url.has('sort')]).to.deep.equal([
      'pager',
      '2',
      false,
    ]);

    // another order starts over at page 1 and is kept in the address bar
    await sort.selectOption({ label: 'Title Z–A' });
    expect((await cards(page, 'Page 1 of 5'))[0]).to.equal('Pager Game 55');
    expect(new URL(page.url()).searchParams.get('sort')).to.equal('-title');
    await page.close();
  });

  it('pages the task table to older tasks by cursor and back', async () => {
    const { page, calls } = await openRecording('/processing.html', '/api/tasks');
    const first = await taskIds(page, 'Page 1 of 2');
    expect(first).to.have.length(50);
    expect(await page.locator('#task-summary').textContent()).to.equal('56 tasks');
    const cursor1 = calls.at(-1)?.next;
    expect(cursor1).to.be.a('string');

    await page.getByRole('button', { name: /Older/ }).click();
    const second = await taskIds(page, 'Page 2 of 2');
    expect(calls.at(-1)?.params.get('after')).to.equal(cursor1);
    expect(second).to.have.length(6);
    expect(second.filter((id) => id === null || first.includes(id))).to.deep.equal([]);
    expect(await page.getByRole('button', { name: /Older/ }).isDisabled()).to.equal(true);

    await page.getByRole('button', { name: /Newer/ }).click();
    expect(await taskIds(page, 'Page 1 of 2')).to.deep.equal(first);
    await page.close();
  });
});
