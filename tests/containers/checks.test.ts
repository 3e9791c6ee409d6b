// The container checks themselves: each one must notice the mistake it exists for.
import { expect } from 'chai';
import {
  buildProblems,
  healthProblems,
  networkProblems,
  resourceProblems,
  runtimeImage,
  volumeProblems,
} from './lib/compose-checks.js';
import { parseDockerfile } from './lib/dockerfile.js';
import {
  type BuildContext,
  copyProblems,
  installProblems,
  nodeServiceProblems,
  runtimeProblems,
  scriptProblems,
} from './lib/dockerfile-checks.js';
import { isIgnored, parseDockerignore } from './lib/dockerignore.js';
import { tableUnder } from './lib/markdown.js';
import {
  composeVariables,
  loadCompose,
  parseEnvFile,
  readText,
  variablesRead,
} from './lib/repo.js';

const files = new Set([
  'package.json',
  'package-lock.json',
  'svc/package.json',
  'svc/src',
  'svc/dist',
]);
const ctx: BuildContext = {
  exists: (p) => files.has(p.replace(/\/$/, '')),
  ignored: (p) => isIgnored(parseDockerignore('**/dist\n'), p),
  workspaces: [
    { dir: 'svc', name: '@x/svc', scripts: { start: 'node dist/main.js' }, dependencies: {} },
  ],
};
const dockerfile = (text: string) => parseDockerfile('svc/Dockerfile', text);

describe('container checks catch the mistakes they exist for', () => {
  it('a COPY source that is missing, excluded by .dockerignore, or from an unknown stage', () => {
    const df = dockerfile(`FROM node AS build
COPY svc/missing.json ./
COPY svc/dist ./dist
FROM node
COPY --from=biuld /app/svc/dist svc/dist
`);
    expect(copyProblems(df, ctx)).to.deep.equal([
      'svc/Dockerfile:2: COPY source svc/missing.json does not exist',
      'svc/Dockerfile:3: COPY source svc/dist is excluded by .dockerignore',
      'svc/Dockerfile:5: --from=biuld is not an earlier stage',
    ]);
  });

  it('npm install instead of npm ci, npm ci before the lockfile, dev dependencies at run time', () => {
    const df = dockerfile(`FROM node
COPY package.json ./
RUN npm ci
RUN npm install left-pad
`);
    expect(installProblems(df)).to.deep.equal([
      'svc/Dockerfile:3: npm ci runs before package-lock.json is copied',
      'svc/Dockerfile:3: the final stage installs dev dependencies',
      'svc/Dockerfile:4: use `npm ci` (the lockfile), not `npm install`',
    ]);
  });

  it('a script or tsconfig that does not exist', () => {
    const df = dockerfile(`FROM node
RUN npm run bundle -w @x/svc && npx tsc -b svc/tsconfig.json
`);
    expect(scriptProblems(df, ctx)).to.deep.equal([
      'svc/Dockerfile:2: svc/package.json has no "bundle" script',
      'svc/Dockerfile:2: svc/tsconfig.json does not exist',
    ]);
  });

  it('a start command other than the npm start script, root, no healthcheck', () => {
    const df = dockerfile(`FROM node AS build
COPY svc/src svc/src
FROM node
ENV NODE_ENV=production
RUN npm ci --omit=dev --workspace=@x/svc
COPY --from=build /app/svc/dist svc/dist
WORKDIR /app/svc
CMD ["node", "dist/index.js"]
`);
    const problems = [...nodeServiceProblems(df, 'svc', ctx), ...runtimeProblems(df)];
    expect(problems).to.include(
      'svc/Dockerfile: CMD ["node", "dist/index.js"] is not `node dist/main.js` (the start script)',
    );
    expect(problems).to.include('svc/Dockerfile: the build stage does not copy svc/tsconfig.json');
    expect(problems).to.include('svc/Dockerfile: the final stage does not copy svc/package.json');
    expect(problems).to.include('svc/Dockerfile: the final stage runs as root (add a USER)');
    expect(problems).to.include('svc/Dockerfile: the final stage has no HEALTHCHECK');
  });

  it('a service without healthcheck, limits or restart policy, and a wait on it', () => {
    const compose = loadCompose(`
services:
  web:
    image: nginx
    networks: [front]
    depends_on: { cache: { condition: service_healthy }, db: { condition: service_started } }
  cache:
    image: redis
    networks: [front]
  db:
    build: { context: ., dockerfile: db/Dockerfile }
    networks: [front]
    volumes: ['./data:/var/lib/mysql']
networks: { front: {} }
`);
    const compCtx = { exists: () => false, dockerfile: () => parseDockerfile('x', 'FROM x') };
    expect(buildProblems(compose, compCtx)).to.deep.equal([
      'db: build context . is missing',
      'db: Dockerfile db/Dockerfile is missing',
    ]);
    expect(healthProblems(compose, compCtx)).to.deep.equal([
      'web: no healthcheck',
      'web: waits for cache to be healthy, but cache has no healthcheck',
      'web: depends on db without condition: service_healthy',
      'cache: no healthcheck',
      'db: no healthcheck',
    ]);
    expect(resourceProblems(compose)).to.include.members([
      'web: no deploy.resources.limits.cpus',
      'web: no deploy.resources.reservations.memory',
      'web: no restart policy',
    ]);
    expect(networkProblems(compose, 'web', ['db'])).to.deep.equal([
      'db shares network front with web',
    ]);
    expect(volumeProblems(compose, 'db', '/var/lib/mysql')).to.deep.equal([
      'db: /var/lib/mysql is not on a named volume declared under volumes:',
    ]);
  });

  it('the image a service runs: the base it builds from, not the tag it gives the result', () => {
    const compose = loadCompose(`
services:
  db:
    build: { context: ., dockerfile: db/Dockerfile }
    image: example/db
  cache:
    image: redis:7
`);
    const compCtx = {
      exists: () => true,
      dockerfile: () => parseDockerfile('db/Dockerfile', 'FROM alpine AS tools\nFROM mysql:8.4\n'),
    };
    expect(runtimeImage(compose.services.db!, compCtx)).to.equal('mysql:8.4');
    expect(runtimeImage(compose.services.cache!, compCtx)).to.equal('redis:7');
  });

  it('a docs table: read under its own heading only, and missing when it is not there', () => {
    const doc = `## A\n\n| K | V |\n| - | - |\n| x | \`1\` |\n\n## B\n\ntext\n\n| K |\n| - |\n| y |\n`;
    expect(tableUnder(doc, 'A')).to.deep.equal([{ K: 'x', V: '`1`' }]);
    expect(tableUnder(doc, 'B')).to.deep.equal([{ K: 'y' }]);
    expect(() => tableUnder(doc, 'C')).to.throw('no heading "C"');
    expect(() => tableUnder('## A\n\ntext\n## B\n| K |\n| - |\n', 'A')).to.throw('no table');
  });

  it('a compose variable or a variable read by code that .env.example lacks', () => {
    const keys = new Set(parseEnvFile(readText('.env.example')).map((e) => e.key));
    const used = composeVariables('image: x:${TAG:-1}\ncommand: echo $$HOME $OTHER');
    expect([...used]).to.deep.equal(['TAG', 'OTHER']);
    expect([...used].filter((v) => !keys.has(v))).to.deep.equal(['TAG', 'OTHER']);
    const read = variablesRead(
      "const a = process.env.NEW_SETTING; loadConfig(['DB_HOST']); env['OTHER_ONE'];",
      ['DB_HOST', 'DB_PORT'],
    );
    expect([...read].sort()).to.deep.equal(['DB_HOST', 'NEW_SETTING', 'OTHER_ONE']);
  });

  it('.dockerignore: parents, ** and re-included files', () => {
    const rules = parseDockerignore('**/node_modules\n.env*\n!.env.example\ndocs\n!docs/keep.md\n');
    expect(isIgnored(rules, 'backend/node_modules/x/index.js')).to.equal(true);
    expect(isIgnored(rules, 'node_modules')).to.equal(true);
    expect(isIgnored(rules, '.env')).to.equal(true);
    expect(isIgnored(rules, '.env.example')).to.equal(false);
    expect(isIgnored(rules, 'docs/other.md')).to.equal(true);
    expect(isIgnored(rules, 'docs/keep.md')).to.equal(false);
    expect(isIgnored(rules, 'backend/src/index.ts')).to.equal(false);
  });
});
