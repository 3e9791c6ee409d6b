// The Node images built without Docker (tests/containers/lib/emulate.ts), then started the way
// the container starts them: CMD in WORKDIR, with the environment docker-compose.yml gives them
// (hosts pointed at this machine's MariaDB and RabbitMQ), until their own HEALTHCHECK passes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dropDatabase } from '@retro/database';
import { testDbAccount } from '@retro/database/testing';
import { TEST_RABBITMQ_URL, freePort, waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import { environmentOf } from './lib/compose-checks.js';
import { type EmulatedImage, emulateBuild } from './lib/emulate.js';
import { ROOT, dockerignore, loadCompose, readDockerfile } from './lib/repo.js';

const compose = loadCompose();
const database = `test_containers_${randomBytes(4).toString('hex')}`;
const secrets: Record<string, string> = {
  INTERNAL_API_TOKEN: randomBytes(16).toString('hex'),
  MYSQL_PASSWORD: '',
  MYSQL_APP_PASSWORD: '',
  MYSQL_ROOT_PASSWORD: '',
  RABBITMQ_DEFAULT_PASS: 'guest',
  RABBITMQ_BACKEND_PASS: 'guest',
  RABBITMQ_CONSUMER_PASS: 'guest',
  RABBITMQ_PRODUCER_PASS: 'guest',
};

/** `${VAR:-default}` / `${VAR:?message}` as compose resolves them, from `vars`. */
function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}/g, (_m, name: string, op, arg) => {
    if (vars[name] !== undefined) return vars[name];
    if (op === '?') throw new Error(`compose needs ${name}`);
    return op === '-' ? (arg as string) : '';
  });
}

/** The service's compose environment, with container addresses swapped for this machine's. */
function environment(service: string, local: Record<string, string>): Record<string, string> {
  const env = environmentOf(compose.services[service]!);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) out[key] = substitute(value, secrets);
  return { ...out, ...local };
}

interface Running {
  child: ChildProcess;
  output: string[];
}

function start(image: EmulatedImage, env: Record<string, string>): Running {
  const [command, ...args] = image.cmd;
  const child = spawn(command!, args, {
    cwd: image.workdir,
    env: { PATH: process.env.PATH, ...image.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  return { child, output };
}

async function healthy(image: EmulatedImage, env: Record<string, string>, run: Running) {
  const [command, ...args] = image.healthcheck!;
  await waitFor(
    'the HEALTHCHECK to pass',
    () => {
      if (run.child.exitCode !== null) throw new Error(`exited: ${run.output.join('')}`);
      const result = spawnSync(command!, args, {
        cwd: image.workdir,
        env: { PATH: process.env.PATH, ...image.env, ...env },
        timeout: 3000,
      });
      return result.status === 0;
    },
    { timeoutMs: 30_000 },
  );
}

async function stop(run: Running): Promise<number | null> {
  if (run.child.exitCode !== null) return run.child.exitCode;
  const exited = new Promise<number | null>((resolve) => run.child.once('exit', resolve));
  run.child.kill('SIGTERM');
  return exited;
}

describe('Node images, built and started without Docker', function () {
  this.timeout(600_000);
  const images = new Map<string, EmulatedImage>();
  const running: Running[] = [];

  before(function () {
    const ignored = dockerignore();
    for (const dir of ['backend', 'message-consumer', 'message-producer']) {
      images.set(dir, emulateBuild(readDockerfile(`${dir}/Dockerfile`), ROOT, ignored));
    }
  });

  after(async () => {
    for (const run of running) await stop(run);
    for (const image of images.values()) image.cleanup();
    await dropDatabase({ ...testDbAccount(), database });
  });

  it('carry no dev dependencies and resolve the workspaces from compiled code', () => {
    for (const [dir, image] of images) {
      const modules = join(image.root, 'app/node_modules');
      expect(existsSync(join(modules, 'typescript')), `${dir}: typescript`).to.equal(false);
      expect(existsSync(join(modules, 'mocha')), `${dir}: mocha`).to.equal(false);
      expect(existsSync(join(modules, '@retro/common/dist/index.js')), dir).to.equal(true);
      expect(existsSync(join(image.workdir, 'dist/main.js')), dir).to.equal(true);
    }
    const backend = images.get('backend')!;
    expect(existsSync(join(backend.root, 'app/database/migrations/001_catalog.sql'))).to.equal(
      true,
    );
    const producer = images.get('message-producer')!;
    expect(existsSync(join(producer.root, 'app/frontend/dist/producer/index.html'))).to.equal(true);
  });

  it('start with their CMD, pass their HEALTHCHECK, and stop cleanly on SIGTERM', async () => {
    const ports = {
      backend: await freePort(),
      consumer: await freePort(),
      producer: await freePort(),
    };
    const backendEnv = environment('backend', {
      BACKEND_PORT: String(ports.backend),
      ...dbVariables(),
      DB_NAME: database,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
    });
    const backend = start(images.get('backend')!, backendEnv);
    running.push(backend);
    await healthy(images.get('backend')!, backendEnv, backend);
    // its filesystem is read-only: the first operator's password is in one log line, and works.
    // The HEALTHCHECK runs synchronously, so the child's output may not have been read yet.
    await waitFor('the first operator log line', () =>
      backend.output.join('').includes('first operator account admin') ? true : undefined,
    );
    const firstRun = backend.output
      .join('')
      .split('\n')
      .filter((line) => line.includes('first operator account admin'));
    expect(firstRun, backend.output.join('')).to.have.length(1);
    const password = /its password is (\S+) /.exec(firstRun[0]!)?.[1];
    const signIn = await fetch(`http://127.0.0.1:${ports.backend}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(signIn.status, 'admin signs in with the logged password').to.equal(200);

    const consumerEnv = environment('message-consumer', {
      CONSUMER_PORT: String(ports.consumer),
      BACKEND_URL: `http://127.0.0.1:${ports.backend}`,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
    });
    const producerEnv = environment('message-producer', {
      PRODUCER_PORT: String(ports.producer),
      ...dbVariables(),
      DB_NAME: database,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
    });
    const consumer = start(images.get('message-consumer')!, consumerEnv);
    const producer = start(images.get('message-producer')!, producerEnv);
    running.push(consumer, producer);
    await healthy(images.get('message-consumer')!, consumerEnv, consumer);
    await healthy(images.get('message-producer')!, producerEnv, producer);

    const page = await fetch(`http://127.0.0.1:${ports.producer}/`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.match(/<html/i);

    for (const run of [producer, consumer, backend]) {
      expect(await stop(run), run.output.join('')).to.equal(0);
    }
  });
});

describe('frontend image, built without Docker', function () {
  this.timeout(600_000);
  let image: EmulatedImage | undefined;

  after(() => image?.cleanup());

  it('puts both Vite pages and the nginx config where nginx reads them', () => {
    image = emulateBuild(readDockerfile('frontend/Dockerfile'), ROOT, dockerignore());
    for (const page of ['index.html', 'processing.html']) {
      expect(existsSync(join(image.root, 'usr/share/nginx/html', page)), page).to.equal(true);
    }
    expect(existsSync(join(image.root, 'etc/nginx/nginx.conf'))).to.equal(true);
    expect(image.cmd).to.deep.equal(['nginx', '-g', 'daemon off;']);
  });
});

/** The test database account as the DB_* variables the services read (it migrates too). */
function dbVariables(): Record<string, string> {
  const { host, port, user, password } = testDbAccount();
  return {
    DB_HOST: host,
    DB_PORT: String(port),
    DB_USER: user,
    DB_PASSWORD: password,
    DB_MIGRATE_USER: '',
    DB_MIGRATE_PASSWORD: '',
  };
}
