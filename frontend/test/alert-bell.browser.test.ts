// The alert bell on the catalog's pages, in Chromium: hidden while nothing fires, then the count.
import { expect } from 'chai';
import { accessibilityViolations } from './axe.js';
import { useBrowserHarness } from './browser-harness.js';

describe('alert bell in a browser', function () {
  this.timeout(60_000);
  const h = useBrowserHarness('frontend_alert_bell');

  it('when no alert fires, then the bell stays hidden', async () => {
    let answered: Promise<unknown> | undefined;
    const page = await h.open('/', {
      as: 'viewer',
      watch: (tab) => (answered = tab.waitForResponse((r) => r.url().includes('/api/alerts'))),
    });
    await answered;
    expect(await page.locator('#alert-bell').isHidden()).to.equal(true);
    await page.close();
  });

  it('when an alert fires, then both pages show the count, and stay free of WCAG violations', async () => {
    // nothing consumes the harness's queue, so the evaluator keeps this one firing
    await h.resources.sql.query(
      `INSERT INTO alerts (rule, state, summary, raised_at, firing_rule)
       VALUES ('no-consumer', 'firing', 'No consumer', NOW(3), 'no-consumer')`,
    );
    for (const path of ['/', '/processing.html']) {
      const page = await h.open(path, { as: 'viewer' });
      const bell = page.getByRole('link', { name: '1 alert firing' });
      await bell.waitFor();
      expect(await bell.getAttribute('href')).to.equal('/api/alerts');
      expect(await accessibilityViolations(page), path).to.deep.equal([]);
      await page.close();
    }
  });
});
