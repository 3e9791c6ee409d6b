// The route tables are complete (every route an app registers has its row, every row a route)
// and docs/security.md shows them as they are (`npm run docs:security` writes it).
import { readFileSync } from 'node:fs';
import { BACKEND_ROUTES, startBackend, type RunningBackend } from '@retro/backend';
import { openTestResources, type TestResources } from '@retro/database/testing';
import { expect } from 'chai';
import { generatedSecurityDoc, SECURITY_DOC } from './lib/security-doc.js';
import { tableGaps } from './lib/route-gaps.js';

describe('route tables', function () {
  this.timeout(60_000);
  let resources: TestResources;
  let backend: RunningBackend;

  before(async () => {
    resources = await openTestResources('routetables');
    backend = await startBackend({
      queues: resources.queues,
      config: { DB_NAME: resources.database.database, BACKEND_PORT: 0, LOG_LEVEL: 'error' },
    });
  });
  after(async () => {
    await backend?.stop();
    await resources?.release();
  });

  it('lists every route the backend registers, and no route it lacks', () => {
    expect(tableGaps(backend.app, BACKEND_ROUTES)).to.deep.equal({ unlisted: [], unserved: [] });
  });

  it('fails a route missing from the table (the check bites)', () => {
    const withoutAudit = BACKEND_ROUTES.filter((rule) => rule.path !== '/api/audit');
    expect(tableGaps(backend.app, withoutAudit).unlisted).to.deep.equal(['GET /api/audit']);
  });

  it('docs/security.md shows the route tables as the code has them (npm run docs:security)', async () => {
    expect(readFileSync(SECURITY_DOC, 'utf8')).to.equal(await generatedSecurityDoc());
  });
});
