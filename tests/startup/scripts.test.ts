// The helpers behind `npm start`, `npm test` and `npm run setup` that need no service to check.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
// @ts-expect-error -- plain JavaScript modules of the scripts, without type declarations
import { readEnvFile, setEnvValues } from '../../scripts/lib/env-file.mjs';
// @ts-expect-error -- as above
import { nodeVersionProblem } from '../../scripts/lib/node-version.mjs';

describe('newcomer scripts', () => {
  it('when Node is older than engines.node, then the check names the version, the need and the fix', () => {
    const problem = nodeVersionProblem('18.19.1', '>=20.19') as string;
    expect(problem).to.match(/^Node\.js 18\.19\.1 is too old: this project needs >=20\.19\. Fix: /);
    expect(nodeVersionProblem('20.18.3', '>=20.19')).to.be.a('string');
    expect(nodeVersionProblem('20.19.0', '>=20.19')).to.equal(undefined);
    expect(nodeVersionProblem('22.1.0', '>=20.19')).to.equal(undefined);
    expect(nodeVersionProblem(process.versions.node)).to.equal(undefined);
  });

  it('when setup writes the account to .env, then comments and other values stay as they were', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'env-')), '.env');
    writeFileSync(file, '# mine\nDB_HOST=db.local\nDB_USER=root\nDB_PASSWORD=\nLOG_LEVEL=debug');
    setEnvValues(file, { DB_USER: 'retro', DB_PASSWORD: 'abc123' });
    expect(readFileSync(file, 'utf8')).to.equal(
      '# mine\nDB_HOST=db.local\nDB_USER=retro\nDB_PASSWORD=abc123\nLOG_LEVEL=debug',
    );
    setEnvValues(file, { DB_NAME: 'catalog' });
    expect(readEnvFile(file)).to.deep.equal({
      DB_HOST: 'db.local',
      DB_USER: 'retro',
      DB_PASSWORD: 'abc123',
      LOG_LEVEL: 'debug',
      DB_NAME: 'catalog',
    });
    expect(readEnvFile(join(tmpdir(), 'no-such-dir-x', '.env'))).to.deep.equal({});
  });
});
