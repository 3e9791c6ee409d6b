import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium, requireChromium } from '@retro/common/testing/browser';
import { ensurePagesBuilt, waitFor } from '@retro/common/testing';
import { type ProducerTestEnv, startProducerTestEnv } from './helpers.js';
import { SHAPES, park, poisonMessages, unarchivable } from './parking.js';

const artifacts = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

/** The dead-letter console used in Chromium, with the keyboard wherever a tester would. */
describe('message producer: the dead-letter console in a browser', function () {
  this.timeout(120_000);
  let h: ProducerTestEnv;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const specs = poisonMessages(60); // 20 of each shape

  before(async function () {
    requireChromium(this);
    ensurePagesBuilt();
    h = await startProducerTestEnv('producer_console_page');
    await park(h.queues.dlq, [
      ...specs,
      {
        messageId: 'broken-1',
        body: '{"type": "custom", "message": ',
        reason: 'body is not valid JSON',
        headers: { 'x-trace': 'trace-1' },
      },
      unarchivable('unarchivable-1'),
    ]);
    await h.archived(61);
    browser = await launchChromium();
    // an operator signed in: the console replays, edits and deletes
    const context = await h.browserSession(browser, 'operator', {
      viewport: { width: 1280, height: 1400 },
    });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(h.producer.url);
    await page.locator('#dl-groups tr').nth(3).waitFor();
  });

  after(async () => {
    await browser?.close();
    await h?.cleanup();
  });

  /** Focuses the control and presses a key, as a keyboard user would. */
  const press = async (locator: ReturnType<Page['locator']>, key = 'Enter') => {
    await locator.focus();
    await page.keyboard.press(key);
  };
  const rows = () => page.locator('#dl-rows tr');

  it('when the console opens, then it lists the failure groups with their counts and the newest messages', async () => {
    const groups = page.locator('#dl-groups tr');
    expect(await groups.count()).to.equal(4);
    const refused = page.locator('#dl-groups tr', { hasText: SHAPES.refused });
    expect(await refused.locator('td.num').textContent()).to.equal('20');
    expect(await page.locator('#dl-groups-summary').textContent()).to.equal(
      '61 archived messages in 4 groups.',
    );
    expect(await page.locator('#dl-page').textContent()).to.equal('Showing 1–25 of 61.');
    expect(await page.locator('#queue-rows').textContent()).to.contain(h.queues.dlq);
  });

  it('when a parked message could not be archived, then the Quarantined table lists it with the reason the database gave', async () => {
    const row = page.locator('#dl-quarantine tr', { hasText: 'unarchivable-1' });
    await row.waitFor();

    expect(await page.locator('#dl-quarantine-summary').textContent()).to.equal(
      '1 quarantined message.',
    );
    expect(await row.locator('.reason').textContent()).to.match(/^ER_\w+: .*(headers|deep)/);
    expect(await row.locator('td').nth(3).textContent()).to.equal(
      '{"type":"custom","message":"cannot be archived"}',
    );
    const table = page.getByRole('table', { name: 'Quarantined' });
    expect(await table.getByRole('columnheader').allTextContents()).to.deep.equal([
      'Quarantined at',
      'Message id',
      'Why the archive refused it',
      'Body',
    ]);
  });

  it('when a tester filters by type with the keyboard and pages on, then the list and its count follow', async () => {
    await page.getByLabel('Message type').selectOption('game');
    await press(page.getByRole('button', { name: 'Apply filter' }));
    await page.locator('#dl-page', { hasText: 'of 20.' }).waitFor();
    await press(page.getByRole('button', { name: 'Next page' }));
    await page.locator('#dl-page', { hasText: 'Showing 26' }).waitFor({ state: 'detached' });
    await press(page.getByRole('button', { name: 'Reset' }));
    await page.locator('#dl-page', { hasText: 'of 61.' }).waitFor();
  });

  it('when a group is shown, its messages selected and replayed, then the progress is followed to the end and they reach the main queue', async () => {
    const group = page.locator('#dl-groups tr', { hasText: SHAPES.mismatch });
    await press(group.getByRole('button', { name: /^Show the messages/ }));
    await page.locator('#dl-page', { hasText: 'of 20.' }).waitFor();
    const first = rows().nth(0);
    const second = rows().nth(1);
    await press(first.getByRole('checkbox'), 'Space');
    await press(second.getByRole('checkbox'), 'Space');
    expect(await page.locator('#dl-selection').textContent()).to.equal('2 selected.');
    const ids = [
      await first.getAttribute('data-message-id'),
      await second.getAttribute('data-message-id'),
    ];

    await page.getByLabel('Replay rate (messages/s)').fill('5');
    await press(page.getByRole('button', { name: 'Replay selected' }));

    await page.locator('#dl-job-text', { hasText: 'Replaying: ' }).waitFor();
    await page.locator('#dl-job-text', { hasText: 'Replay done: 2 of 2' }).waitFor();
    expect(await page.locator('#dl-job-progress').getAttribute('value')).to.equal('2');
    const arrived = await waitFor('the two in the main queue', async () => {
      const got = await h.probe.drain(h.queues.main);
      return got.length ? got : undefined;
    });
    expect(arrived.map((m) => m.properties.messageId)).to.have.members(ids);
    await first.locator('.replayed').waitFor();
    expect(await page.locator('#history').textContent()).to.contain('Replayed from the archive');
  });

  it('when a message is opened, edited with a JSON mistake and then fixed, then the copy goes out under a new id and the original shows it', async () => {
    await press(page.getByRole('button', { name: 'Reset' }));
    await page.getByLabel('Body contains').fill('"message": ');
    await page.getByLabel('Message type').selectOption('other');
    await press(page.getByRole('button', { name: 'Apply filter' }));
    const row = page.locator('#dl-rows tr[data-message-id="broken-1"]');
    await row.waitFor();
    expect(await row.locator('.reason').textContent()).to.equal('body is not valid JSON');
    await press(row.getByRole('button', { name: /^Open dead letter/ }));
    const detail = page.locator('#dl-detail');
    await detail.waitFor();
    const title = page.locator('#dl-detail-title');
    expect(await title.evaluate((node) => node === node.ownerDocument.activeElement)).to.equal(
      true,
    );
    expect(await page.locator('#dl-detail-body').textContent()).to.equal(
      '{"type": "custom", "message": ',
    );
    expect(await page.locator('#dl-detail-headers').textContent()).to.contain(
      '"x-trace": "trace-1"',
    );
    await mkdir(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}producer-dead-letters.png`, fullPage: true });

    await press(detail.getByRole('button', { name: 'Edit and replay' }));
    const editor = page.getByLabel('Corrected message (JSON)');
    await editor.fill('{"type": "custom", "message": "fixed",}');
    expect(await page.locator('#dl-edit-status').textContent()).to.match(/^Not valid JSON/);
    expect(await editor.getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('#dl-edit-send').isDisabled()).to.equal(true);
    await editor.fill('{"type": "custom", "message": "fixed"}');
    expect(await page.locator('#dl-edit-status').textContent()).to.equal('Valid JSON');
    await page.keyboard.press('Control+Enter');

    await page.locator('#dl-edit').waitFor({ state: 'hidden' });
    const result = await page
      .locator('#dl-result', { hasText: 'edited, as message' })
      .textContent();
    const newId = /as message (\S+)\.$/.exec(result!)![1]!;
    const [copy] = await waitFor('the edited copy in the main queue', async () => {
      const got = await h.probe.drain(h.queues.main);
      return got.length ? got : undefined;
    });
    expect(copy!.properties.messageId).to.equal(newId);
    expect(copy!.content.toString()).to.equal('{"type": "custom", "message": "fixed"}');
    expect(copy!.properties.headers).to.include({
      'x-replay-of': 'broken-1',
      'x-trace': 'trace-1',
    });
    await page.locator('#dl-detail-meta', { hasText: `as ${newId}` }).waitFor();
  });

  it('when the opened message is deleted and the deletion confirmed, then it is gone and the audit trail lists every action', async () => {
    await press(page.locator('#dl-detail').getByRole('button', { name: 'Delete' }));
    // the confirmation names what goes; Cancel has the focus, so it is chosen on purpose
    const confirm = page.locator('#confirm-dialog');
    await confirm.getByRole('heading', { name: 'Delete 1 message?' }).waitFor();
    await press(confirm.getByRole('button', { name: 'Delete 1 message' }));

    await page.locator('#dl-result', { hasText: 'Deleted 1 message.' }).waitFor();
    await page.locator('#dl-detail').waitFor({ state: 'hidden' });
    await page.locator('#dl-page', { hasText: 'No message matches.' }).waitFor();
    await page.locator('#dl-audit', { hasText: 'delete · 1 message' }).waitFor();
    const audit = await page.locator('#dl-audit').textContent();
    expect(audit).to.contain('edit-and-replay · 1 message');
    expect(audit).to.contain('replay · 2 messages');
    expect(problems, problems.join('\n')).to.deep.equal([]);
  });
});
