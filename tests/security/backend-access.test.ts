// Every route of the backend's table × every caller (anonymous, viewer, editor, tester,
// operator), against the running backend: each answers as docs/security.md says.
import { BACKEND_ROUTES } from '@retro/backend';
import { expect } from 'chai';
import { securityBackend } from './lib/backend.js';
import { expectations, measure } from './lib/matrix.js';

for (const anonymousRole of ['viewer', 'none'] as const) {
  describe(`backend access with AUTH_ANONYMOUS_ROLE=${anonymousRole}`, function () {
    this.timeout(120_000);
    let env: Awaited<ReturnType<typeof securityBackend>>;

    before(async () => {
      env = await securityBackend('access', { AUTH_ANONYMOUS_ROLE: anonymousRole });
    });
    after(() => env?.stop());

    it('answers every route and caller as the route table says', async () => {
      const mismatches: string[] = [];
      let checked = 0;
      for (const { rule, caller, expected } of expectations(BACKEND_ROUTES, anonymousRole)) {
        const { status, decision } = await measure(
          env.backend.url,
          rule,
          caller,
          env.resources.accounts,
        );
        checked += 1;
        if (decision !== expected) {
          mismatches.push(
            `${rule.method} ${rule.path} as ${caller}: ${status}, expected ${expected}`,
          );
        }
      }
      expect(mismatches).to.deep.equal([]);
      expect(checked).to.be.at.least(BACKEND_ROUTES.length);
    });

    it('lets the metrics token read /metrics and nothing else, not even public reads', async () => {
      const auth = { authorization: 'Bearer test-metrics-token-0123456789' };
      expect((await fetch(`${env.backend.url}/metrics`, { headers: auth })).status).to.equal(200);
      const write = await fetch(`${env.backend.url}/api/games`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(write.status).to.equal(401);
      const read = await fetch(`${env.backend.url}/api/games`, { headers: auth });
      expect(read.status).to.equal(401);
    });
  });
}
