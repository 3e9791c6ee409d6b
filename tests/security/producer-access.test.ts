// Every route of the producer's table × every caller, against the running producer: each
// answers as docs/security.md says. (Its publishes and console actions: message-producer/test.)
import { startProducer, PRODUCER_ROUTES, type RunningProducer } from '@retro/message-producer';
import { createLogger } from '@retro/common';
import { TEST_METRICS_TOKEN, TEST_TOKEN } from '@retro/common/testing';
import { openTestResources, type TestResources } from '@retro/database/testing';
import { expect } from 'chai';
import { expectations, measure } from './lib/matrix.js';
import { tableGaps } from './lib/route-gaps.js';

for (const anonymousRole of ['viewer', 'none'] as const) {
  describe(`producer access with AUTH_ANONYMOUS_ROLE=${anonymousRole}`, function () {
    this.timeout(120_000);
    let resources: TestResources;
    let producer: RunningProducer;

    before(async () => {
      resources = await openTestResources('paccess');
      const logger = createLogger('message-producer', 'error');
      logger.silent = true; // refusals and the missing backend are the point here
      producer = await startProducer({
        queues: resources.queues,
        rateLimit: false,
        logger,
        config: {
          PRODUCER_PORT: 0,
          DB_NAME: resources.database.database,
          INTERNAL_API_TOKEN: TEST_TOKEN,
          METRICS_TOKEN: TEST_METRICS_TOKEN,
          AUTH_ANONYMOUS_ROLE: anonymousRole,
          // no backend here: a publish that asks it answers 503, after the access check
          BACKEND_URL: 'http://127.0.0.1:9',
        },
      });
    });
    after(async () => {
      await producer?.stop();
      await resources?.release();
    });

    it('answers every route and caller as the route table says', async () => {
      const mismatches: string[] = [];
      for (const { rule, caller, expected } of expectations(PRODUCER_ROUTES, anonymousRole)) {
        const { status, decision } = await measure(producer.url, rule, caller, resources.accounts);
        if (decision !== expected) {
          mismatches.push(
            `${rule.method} ${rule.path} as ${caller}: ${status}, expected ${expected}`,
          );
        }
      }
      expect(mismatches).to.deep.equal([]);
    });

    if (anonymousRole === 'viewer') {
      it('lists every route the producer registers, and no route it lacks', () => {
        expect(tableGaps(producer.app, PRODUCER_ROUTES)).to.deep.equal({
          unlisted: [],
          unserved: [],
        });
      });
    }
  });
}
