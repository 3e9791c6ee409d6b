import { expect } from 'chai';
import { startTestEnv, type TestEnv } from './helpers.js';

describe('backend security headers', () => {
  let env: TestEnv;
  before(async () => {
    env = await startTestEnv('security_headers');
  });
  after(() => env?.cleanup());

  const expected = {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
  };

  for (const [method, path, status] of [
    ['GET', '/api/games?limit=1', 200],
    ['POST', '/api/games', 400],
    ['GET', '/api/no-such-route', 404],
    ['GET', '/health', 200],
  ] as const) {
    it(`sends the JSON API's security headers on ${method} ${path} (${status})`, async () => {
      const res = await fetch(`${env.backend.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${env.accounts.editor.token}`,
        },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(res.status).to.equal(status);
      for (const [name, value] of Object.entries(expected)) {
        expect(res.headers.get(name), name).to.equal(value);
      }
      expect(res.headers.get('x-powered-by')).to.equal(null);
    });
  }
});
