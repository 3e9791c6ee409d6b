// A message's journey on the processing page: the timeline dialog, in Chromium.
import { uniqueName } from '@retro/common/testing';
import { expect } from 'chai';
import { accessibilityViolations } from './axe.js';
import { activeElementLabel, useBrowserHarness } from './browser-harness.js';

describe("processing page: a message's journey in a browser", function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_journey');

  it('opens a task’s journey as a timeline, a row per step with the time since the one before, and closes back to its button (axe-clean)', async () => {
    const game = await h.createGame(`Journey ${uniqueName('t')}`);
    const processing = await h.open('/processing.html');
    const messageId = await h.failCreateTask(game, 'image service down');
    const row = processing.locator(`tr[data-message-id="${messageId}"][data-status="failed"]`);
    await row.waitFor();

    const button = row.getByRole('button', { name: `Journey of message ${messageId}` });
    await button.click();
    const dialog = processing.getByRole('dialog', { name: `Journey of message ${messageId}` });
    await dialog.waitFor();
    const first = dialog.locator('tbody tr').first();
    expect(await first.getAttribute('data-stage')).to.equal('written');
    expect(await first.locator('td').nth(1).textContent()).to.equal('—');
    const stages = await dialog
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-stage')));
    expect(stages[0]).to.equal('written');
    expect(await accessibilityViolations(processing)).to.deep.equal([]);

    await processing.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await activeElementLabel(processing)).to.equal(`Journey of message ${messageId}`);
    await processing.close();
  });
});
