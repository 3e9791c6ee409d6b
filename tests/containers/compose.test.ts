// Static checks of docker-compose.yml and .env.example (no Docker engine needed).
import { configSchema } from '@retro/common';
import { expect } from 'chai';
import {
  buildProblems,
  dockerfilePath,
  environmentOf,
  healthProblems,
  networkProblems,
  networksOf,
  openPorts,
  resourceProblems,
  runtimeImage,
  volumeProblems,
} from './lib/compose-checks.js';
import { tableUnder } from './lib/markdown.js';
import {
  composeVariables,
  exists,
  loadCompose,
  parseEnvFile,
  readDockerfile,
  readText,
  sourceFiles,
  variablesRead,
} from './lib/repo.js';

const SERVICES = [
  'frontend',
  'backend',
  'database',
  'rabbitmq',
  'message-consumer',
  'message-producer',
];
const SECRET = /PASSWORD|_PASS$|TOKEN|SECRET/;
/** A secret's name; `…_FILE` names where one is written (ADMIN_PASSWORD_FILE), not the secret. */
const isSecret = (key: string) => SECRET.test(key) && !key.endsWith('_FILE');
/**
 * Secrets a deployment may leave unset, because empty turns off what they open rather than
 * falling back to a known value: no METRICS_TOKEN means /metrics takes operators only.
 */
const OPTIONAL_SECRETS = new Set(['METRICS_TOKEN']);
/** Services other containers call by name (nginx, the consumer, the producer, a scraper). */
const REACHED_BY_NAME = ['backend', 'message-producer', 'message-consumer'];
/** The services that check who is asking, with one shared set of access settings. */
const ACCESS_CHECKED = ['backend', 'message-producer'];
const ACCESS_KEYS = [
  'AUTH_ANONYMOUS_ROLE',
  'SESSION_IDLE_MS',
  'SESSION_MAX_MS',
  'COOKIE_SECURE',
  'ALLOWED_HOSTS',
  'ALLOWED_ORIGINS',
  'METRICS_TOKEN',
  'INTERNAL_API_TOKEN',
];

describe('docker-compose.yml', () => {
  const compose = loadCompose();
  const ctx = { exists, dockerfile: readDockerfile };

  it('defines every service of the product', () => {
    expect(Object.keys(compose.services)).to.include.members(SERVICES);
  });

  it('builds every service from a context and Dockerfile that exist', () => {
    expect(buildProblems(compose, ctx)).to.deep.equal([]);
  });

  it('gives every service a healthcheck, and waits only on services that have one', () => {
    expect(healthProblems(compose, ctx)).to.deep.equal([]);
  });

  it('gives every service CPU and memory limits and reservations, and a restart policy', () => {
    expect(resourceProblems(compose)).to.deep.equal([]);
  });

  it('keeps the database and the broker off the frontend’s network', () => {
    expect(networkProblems(compose, 'frontend', ['database', 'rabbitmq'])).to.deep.equal([]);
    expect(Object.keys(compose.networks ?? {})).to.have.length.of.at.least(2);
    // The services that need them still reach them.
    for (const name of ['backend', 'message-consumer', 'message-producer']) {
      const shared = networksOf(compose.services[name]!).filter((n) =>
        networksOf(compose.services.rabbitmq!).includes(n),
      );
      expect(shared, `${name} reaches rabbitmq`).to.have.length.greaterThan(0);
    }
  });

  it('gives the producer the catalog database the backend uses, on the internal network, once it is healthy', () => {
    const producer = compose.services['message-producer']!;
    const backend = environmentOf(compose.services.backend!);
    const env = environmentOf(producer);
    const shared = networksOf(producer).filter((n) =>
      networksOf(compose.services.database!).includes(n),
    );
    expect(shared, 'message-producer reaches database').to.have.length.greaterThan(0);
    for (const key of ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD']) {
      expect(env[key], key).to.equal(backend[key]);
    }
    expect(JSON.stringify(producer.depends_on)).to.include(
      '"database":{"condition":"service_healthy"}',
    );
  });

  it('keeps the database’s and RabbitMQ’s data on named volumes', () => {
    expect([
      ...volumeProblems(compose, 'database', '/var/lib/mysql'),
      ...volumeProblems(compose, 'rabbitmq', '/var/lib/rabbitmq'),
    ]).to.deep.equal([]);
    // RabbitMQ files its data under its node name; a random container hostname would orphan it.
    expect(compose.services.rabbitmq!.hostname).to.be.a('string');
  });

  it('runs the database and the broker the compatibility table names: MariaDB 10.11, RabbitMQ 4.x', () => {
    const rows = tableUnder(readText('docs/deployment.md'), 'Compatibility');
    /** The image in backticks of the table's row for that server and version. */
    const imageInTable = (server: string, version: string) => {
      const row = rows.find((r) => r.Server === server && r.Version === version);
      expect(row, `a row for ${server} ${version}`).not.to.equal(undefined);
      expect(row!.Status, `${server} ${version} says what was tested`).not.to.equal('');
      return /`([^`]+)`/.exec(row!['Compose image'] ?? '')?.[1];
    };
    const database = runtimeImage(compose.services.database!, ctx);
    expect(database).to.equal('mariadb:10.11');
    expect(imageInTable('MariaDB', '10.11')).to.equal(database);
    const rabbitmq = runtimeImage(compose.services.rabbitmq!, ctx);
    expect(rabbitmq).to.match(/^rabbitmq:4\.\d+(?:\.\d+)?(?:-management)?$/);
    expect(imageInTable('RabbitMQ', '4.x')).to.equal(rabbitmq);
    // nothing in compose may pass for tested: this machine runs RabbitMQ 3.10 and no Docker engine
    const claimed = rows.find((r) => r.Server === 'RabbitMQ' && r.Version === '4.x')!;
    expect(claimed.Status).to.match(/^claimed, not tested here\b/);
    // Servers this machine runs, and what the migrations are only checked against, have no image.
    expect(imageInTable('RabbitMQ', '3.10')).to.equal(undefined);
    expect(imageInTable('MySQL', '8.0, 8.4')).to.equal(undefined);
  });

  it('has the database container create the database, the migrate step\u2019s account and the services\u2019 one', () => {
    const env = environmentOf(compose.services.database!);
    const backend = environmentOf(compose.services.backend!);
    expect(backend).to.include({ DB_HOST: 'database', DB_PORT: '3306' });
    expect(env.MARIADB_DATABASE).to.equal(backend.DB_NAME);
    expect(env.MARIADB_USER).to.equal(backend.DB_MIGRATE_USER);
    expect(env.MARIADB_PASSWORD).to.equal(backend.DB_MIGRATE_PASSWORD);
    // the services' account (rows only): database/initdb/10-app-account.sh reads these
    expect(env.RETRO_APP_USER).to.equal(backend.DB_USER);
    expect(env.RETRO_APP_PASSWORD).to.equal(backend.DB_PASSWORD);
    expect(backend.DB_USER).not.to.equal(backend.DB_MIGRATE_USER);
    const init = readText('database/initdb/10-app-account.sh');
    expect(init).to.contain('GRANT SELECT, INSERT, UPDATE, DELETE ON');
    expect(JSON.stringify(compose.services.database!)).to.contain('/docker-entrypoint-initdb.d/');
    expect(env.MARIADB_ROOT_PASSWORD).to.match(/^\$\{[A-Z_]+:\?/);
    // The MariaDB image reads MYSQL_* only where its own name is unset: one set, its own.
    expect(Object.keys(env).filter((key) => key.startsWith('MYSQL_'))).to.deep.equal([]);
  });

  it('runs RabbitMQ with the management UI and its own account instead of guest', () => {
    const rabbitmq = compose.services.rabbitmq!;
    expect(rabbitmq.image).to.match(/^rabbitmq:[\d.]+-management$/);
    const env = environmentOf(rabbitmq);
    expect(env.RABBITMQ_DEFAULT_USER)
      .to.be.a('string')
      .and.not.match(/^guest$/);
    expect(env.RABBITMQ_DEFAULT_PASS).to.match(/^\$\{RABBITMQ_DEFAULT_PASS:\?/);
  });

  it('runs two competing consumers that publish no host port (so --scale works)', () => {
    const consumer = compose.services['message-consumer']!;
    expect(consumer.deploy?.replicas).to.equal(2);
    expect(consumer.ports ?? []).to.deep.equal([]);
    expect(JSON.stringify(consumer)).not.to.include('container_name');
  });

  it('has the backend trust exactly the one proxy in front of it (nginx), the producer none', () => {
    expect(environmentOf(compose.services.backend!)).to.include({ TRUST_PROXY: '1' });
    expect(environmentOf(compose.services['message-producer']!)).to.include({
      TRUST_PROXY: 'false',
    });
    for (const name of ['backend', 'message-producer']) {
      expect(environmentOf(compose.services[name]!).RATE_LIMIT_PER_MINUTE, name).to.equal(
        '${RATE_LIMIT_PER_MINUTE:-1200}',
      );
    }
  });

  it('runs two backend replicas that nginx finds by name, again after one is replaced', () => {
    const backend = compose.services.backend!;
    expect(backend.deploy?.replicas).to.equal(2);
    expect(backend.ports ?? [], 'published ports would collide').to.deep.equal([]);
    expect(JSON.stringify(backend)).not.to.include('container_name');
    for (const name of ['message-consumer', 'message-producer']) {
      expect(environmentOf(compose.services[name]!).BACKEND_URL, name).to.equal(
        'http://backend:3000',
      );
    }
    // A variable in proxy_pass makes nginx resolve the name per request through Docker's DNS
    // (cached for `valid`), so it spreads requests over every replica and follows replacements.
    const nginx = readText('frontend/nginx.conf');
    expect(nginx).to.match(/^\s*resolver 127\.0\.0\.11 valid=\d+s/m);
    expect(nginx).to.match(/^\s*set \$backend http:\/\/backend:3000;/m);
    const targets = [...nginx.matchAll(/^\s*proxy_pass\s+([^;]+);/gm)].map((m) => m[1]);
    expect(targets).to.have.length.greaterThan(0);
    expect(targets.filter((t) => t !== '$backend')).to.deep.equal([]);
  });

  it('publishes only the catalog UI on every interface; the producer on 127.0.0.1 unless PRODUCER_BIND', () => {
    expect(openPorts(compose)).to.deep.equal(['frontend: ${FRONTEND_PORT:-8080}:8080']);
    expect(compose.services['message-producer']!.ports).to.deep.equal([
      '${PRODUCER_BIND:-127.0.0.1}:${PRODUCER_PORT:-3001}:3001',
    ]);
  });

  it('starts debug tools only with the debug profile', () => {
    const debug = Object.entries(compose.services).filter(([, s]) => s.profiles?.length);
    expect(debug.length).to.be.greaterThan(0);
    for (const [name, service] of debug) expect(service.profiles, name).to.deep.equal(['debug']);
    for (const name of SERVICES) expect(compose.services[name]!.profiles, name).to.equal(undefined);
  });

  it('passes each Node service every variable its code reads, in production mode', () => {
    const schemaKeys = Object.keys(configSchema);
    const missing: string[] = [];
    for (const [name, service] of Object.entries(compose.services)) {
      const dockerfile = dockerfilePath(service);
      const dir = dockerfile?.split('/')[0];
      if (!dockerfile || !readDockerfile(dockerfile).stages.at(-1)!.base.startsWith('node:')) {
        continue;
      }
      const env = environmentOf(service);
      const read = new Set<string>();
      for (const file of sourceFiles().filter((f) => f.startsWith(`${dir}/src/`))) {
        for (const key of variablesRead(readText(file), schemaKeys)) read.add(key);
      }
      for (const key of read) if (!(key in env)) missing.push(`${name}: ${key}`);
      if (env.NODE_ENV !== 'production') missing.push(`${name}: NODE_ENV=production`);
    }
    expect(missing).to.deep.equal([]);
  });

  it('refuses to start without the secrets instead of running with known defaults', () => {
    const text = readText('docker-compose.yml');
    const optionalSecrets = [...text.matchAll(/\$\{([A-Z0-9_]+)(:?[-+=][^}]*)?\}/g)]
      .filter((m) => isSecret(m[1]!) && !OPTIONAL_SECRETS.has(m[1]!))
      .map((m) => m[0]);
    expect(optionalSecrets, 'secrets need ${VAR:?message}').to.deep.equal([]);
    for (const key of OPTIONAL_SECRETS) {
      expect(text, `${key} may be unset, never given a value here`).to.include(`\${${key}:-}`);
    }
  });

  it('has the services other containers call listen on every interface inside their container', () => {
    for (const name of REACHED_BY_NAME) {
      expect(environmentOf(compose.services[name]!).HOST, name).to.equal('0.0.0.0');
    }
  });

  it('lets the backend and the producer answer to their service names, with the same access settings', () => {
    const [first, ...others] = ACCESS_CHECKED.map((n) => environmentOf(compose.services[n]!));
    for (const key of ACCESS_KEYS) {
      expect(first![key], `${ACCESS_CHECKED[0]}: ${key}`).to.be.a('string');
      for (const [i, env] of others.entries()) {
        expect(env[key], `${ACCESS_CHECKED[i + 1]}: ${key}`).to.equal(first![key]);
      }
    }
    const hosts = configSchema.ALLOWED_HOSTS.parse(
      first!.ALLOWED_HOSTS!.replace(/^\$\{ALLOWED_HOSTS:-(.*)\}$/, '$1'),
    );
    expect(hosts).to.include.members([...ACCESS_CHECKED, 'frontend', 'localhost']);
    // scrapers send METRICS_TOKEN from .env as their bearer token
    expect(first!.METRICS_TOKEN).to.equal('${METRICS_TOKEN:-}');
  });

  it('has the backend log the first operator’s password instead of writing it to its read-only disk', () => {
    const backend = compose.services.backend!;
    expect(backend.read_only).to.equal(true);
    expect(environmentOf(backend).ADMIN_PASSWORD_FILE).to.equal('');
  });
});

describe('.env.example', () => {
  const entries = parseEnvFile(readText('.env.example'));
  const keys = new Set(entries.map((e) => e.key));

  it('has an entry for every ${VAR} docker-compose.yml substitutes', () => {
    const missing = [...composeVariables(readText('docker-compose.yml'))].filter(
      (v) => !keys.has(v),
    );
    expect(missing).to.deep.equal([]);
  });

  it('has an entry for every variable the code reads', () => {
    const schemaKeys = Object.keys(configSchema);
    const missing = new Set<string>();
    for (const key of schemaKeys) if (!keys.has(key)) missing.add(`${key} (configSchema)`);
    for (const file of sourceFiles()) {
      for (const key of variablesRead(readText(file), schemaKeys)) {
        if (!keys.has(key)) missing.add(`${key} (${file})`);
      }
    }
    expect([...missing]).to.deep.equal([]);
  });

  it('explains every variable with a comment and lists each once', () => {
    expect(entries.filter((e) => e.comment === '').map((e) => e.key)).to.deep.equal([]);
    expect(entries.map((e) => e.key)).to.deep.equal([...keys]);
  });

  it('ships no secret: every password and token is left for the user to set', () => {
    const filled = entries.filter((e) => isSecret(e.key) && e.value !== '');
    expect(filled.map((e) => `${e.key}=${e.value}`)).to.deep.equal([]);
  });

  it('holds values the services accept (the local defaults)', () => {
    const problems: string[] = [];
    for (const entry of entries) {
      const schema = configSchema[entry.key as keyof typeof configSchema];
      if (!schema) continue;
      const input = entry.value === '' && entry.key !== 'DB_PASSWORD' ? undefined : entry.value;
      const result = schema.safeParse(input);
      if (!result.success) problems.push(`${entry.key}=${entry.value}`);
      else if (input !== undefined && String(result.data) !== entry.value) {
        problems.push(`${entry.key}=${entry.value} (the default is ${String(result.data)})`);
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
