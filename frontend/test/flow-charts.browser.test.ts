// The processing page's live charts in Chromium: real points drawn while a consumer works
// through a few hundred events, and no hole in their history after the polls were cut.
import { startConsumer, type RunningConsumer } from '@retro/message-consumer';
import { waitFor } from '@retro/common/testing';
import type { TaskFlow } from '@retro/common';
import { expect } from 'chai';
import { accessibilityViolations } from './axe.js';
import { ARTIFACTS, TOKEN, useBrowserHarness } from './browser-harness.js';

const INTERVAL_MS = 500;
const GAMES = 300;

describe('processing page flow charts in a browser', function () {
  this.timeout(120_000);
  let consumer: RunningConsumer | undefined;
  // registered first, so it runs before the harness stops the backend the consumer reports to
  after(async () => {
    await consumer?.stop();
  });
  const h = useBrowserHarness('frontend_flow', { flowIntervalMs: INTERVAL_MS });

  it('draws real points while events flow, and keeps its history across a cut of its polls', async () => {
    const page = await h.open('/processing.html', { as: 'viewer' });
    const charts = page.locator('#flow-charts');
    await charts.locator('figure').first().waitFor();
    expect(await charts.locator('figure').count()).to.equal(4);

    consumer = await startConsumer({
      queues: h.queues,
      config: {
        BACKEND_URL: h.backend.url,
        INTERNAL_API_TOKEN: TOKEN,
        CONSUMER_PORT: 0,
        PROCESSING_DELAY_MS: 5,
        LOG_LEVEL: 'error',
      },
    });
    for (let i = 0; i < GAMES; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, (_, j) => h.createGame(`Flow Quest ${i + j + 1}`)),
      );
    }

    // the current numbers beside the chart say work completed, and the line is on the canvas
    await waitFor(
      'a completion rate on the page',
      async () => {
        const text = await page.locator('#flow-throughput .flow-now dd').first().textContent();
        return text !== null && /^[1-9]/.test(text);
      },
      { timeoutMs: 60_000 },
    );
    const neonPixels = await page.locator('#flow-throughput canvas').evaluate((node) => {
      // the test's tsconfig has no DOM library: the canvas's shape, as far as this reads it
      const canvas = node as unknown as {
        width: number;
        height: number;
        getContext(kind: '2d'): {
          getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
        } | null;
      };
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i]! < 120 && data[i + 1]! > 200 && data[i + 2]! > 90 && data[i + 2]! < 190)
          count++;
      }
      return count;
    });
    expect(neonPixels, 'pixels of the completions line').to.be.greaterThan(20);
    expect(await page.locator('#flow-throughput .u-legend').textContent()).to.match(
      /Completed \(\/s\)/,
    );

    // cut the polls for a few samples, then let them through again
    await page.route('**/api/tasks/flow**', (route) => route.abort());
    await page.locator('#flow-charts[data-status="retrying"]').waitFor({ timeout: 10_000 });
    const lastBeforeCut = Number(await charts.getAttribute('data-last'));
    await new Promise((resolve) => setTimeout(resolve, 4 * INTERVAL_MS));
    const resumed: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/tasks/flow')) resumed.push(request.url());
    });
    await page.unroute('**/api/tasks/flow**');
    await waitFor('the charts to resume', async () =>
      Number(await charts.getAttribute('data-last')) > lastBeforeCut + 3 * INTERVAL_MS
        ? true
        : undefined,
    );
    expect(resumed[0]).to.match(new RegExp(`since=${lastBeforeCut}$`));

    // no hole: the page holds every sample the backend took from its first to its last
    const first = Number(await charts.getAttribute('data-first'));
    const last = Number(await charts.getAttribute('data-last'));
    const held = Number(await charts.getAttribute('data-samples'));
    const flow = (await (await fetch(`${h.base}/api/tasks/flow`)).json()) as TaskFlow;
    const taken = flow.samples.filter((s) => s.at >= first && s.at <= last).length;
    expect(held).to.equal(taken);

    expect(await accessibilityViolations(page)).to.deep.equal([]);
    await page.locator('.flow').screenshot({ path: `${ARTIFACTS}processing-flow-charts.png` });
    await page.close();
  });
});
