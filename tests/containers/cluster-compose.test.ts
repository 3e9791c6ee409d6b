// Static checks of docker-compose.cluster.yml, the override that runs a 3-node RabbitMQ cluster
// with quorum queues (no Docker engine needed): merged over docker-compose.yml as compose merges
// override files, it must still pass the base file's checks, and add up to a cluster.
import { brokerUrls, configSchema } from '@retro/common';
import { expect } from 'chai';
import {
  environmentOf,
  healthProblems,
  networkProblems,
  networksOf,
  resourceProblems,
  volumeProblems,
} from './lib/compose-checks.js';
import { mergeCompose } from './lib/compose-merge.js';
import {
  type ComposeService,
  composeVariables,
  exists,
  loadCompose,
  parseEnvFile,
  readDockerfile,
  readText,
} from './lib/repo.js';

const NODES = ['rabbitmq', 'rabbitmq-2', 'rabbitmq-3'];
const CLIENTS = ['backend', 'message-consumer', 'message-producer'];
const CONFIG = 'deploy/rabbitmq/cluster.conf';

/** A compose value with every `${VAR...}` replaced by a sample, as compose would with a .env. */
const substituted = (value: string) =>
  value.replace(/\$\{([A-Z0-9_]+)[^}]*\}/g, (_, name: string) => `sample-${name.toLowerCase()}`);

describe('docker-compose.cluster.yml', () => {
  const base = loadCompose();
  const override = loadCompose(readText('docker-compose.cluster.yml'));
  const merged = mergeCompose(base, override);
  const ctx = { exists, dockerfile: readDockerfile };
  const node = (name: string) => merged.services[name]!;

  it('adds two RabbitMQ nodes to the broker of docker-compose.yml, same image, own hostnames', () => {
    expect(Object.keys(merged.services)).to.include.members(NODES);
    const images = NODES.map((name) => node(name).image);
    expect(new Set(images), 'one RabbitMQ version across the cluster').to.have.length(1);
    // the version the compatibility table names for compose (checked in compose.test.ts)
    expect(images[0]).to.equal(base.services.rabbitmq!.image);
    const hostnames = NODES.map((name) => node(name).hostname);
    expect(hostnames).to.deep.equal(NODES); // node names are rabbit@<hostname>: fixed, distinct
  });

  it('still passes the checks of the base file: healthchecks, limits, restart policy, networks', () => {
    expect(healthProblems(merged, ctx)).to.deep.equal([]);
    expect(resourceProblems(merged)).to.deep.equal([]);
    expect(networkProblems(merged, 'frontend', NODES)).to.deep.equal([]);
    for (const name of CLIENTS) {
      for (const rabbit of NODES) {
        const shared = networksOf(node(name)).filter((n) => networksOf(node(rabbit)).includes(n));
        expect(shared, `${name} reaches ${rabbit}`).to.have.length.greaterThan(0);
      }
    }
  });

  it('keeps each node’s data on a named volume of its own', () => {
    const problems = NODES.flatMap((name) => volumeProblems(merged, name, '/var/lib/rabbitmq'));
    expect(problems).to.deep.equal([]);
    const volumes = NODES.map((name) => JSON.stringify(node(name).volumes));
    expect(new Set(volumes)).to.have.length(3);
  });

  it('joins the nodes by classic config peer discovery, listing exactly the three node names', () => {
    expect(exists(CONFIG)).to.equal(true);
    const conf = readText(CONFIG);
    expect(conf).to.match(/^cluster_formation\.peer_discovery_backend = classic_config$/m);
    const listed = [...conf.matchAll(/^cluster_formation\.classic_config\.nodes\.\d+ = (\S+)$/gm)];
    expect(listed.map((m) => m[1])).to.deep.equal(NODES.map((name) => `rabbit@${name}`));
    expect(conf).to.match(/^quorum_queue\.initial_cluster_size = 3$/m);
    for (const name of NODES) {
      expect(JSON.stringify(node(name)), name).to.include('/etc/rabbitmq/conf.d/');
    }
    const configs = (override as unknown as { configs: Record<string, { file: string }> }).configs;
    expect(Object.values(configs).map((c) => c.file)).to.deep.equal([`./${CONFIG}`]);
  });

  it('gives every node the same account and Erlang cookie, the cookie required from .env', () => {
    const envs = NODES.map((name) => environmentOf(node(name)));
    for (const key of [
      'RABBITMQ_DEFAULT_USER',
      'RABBITMQ_DEFAULT_PASS',
      'RABBITMQ_ERLANG_COOKIE',
    ]) {
      expect(new Set(envs.map((env) => env[key])), key).to.have.length(1);
    }
    expect(envs[0]!.RABBITMQ_ERLANG_COOKIE).to.match(/^\$\{RABBITMQ_ERLANG_COOKIE:\?/);
  });

  it('gives every service QUEUE_TYPE=quorum and all three nodes in RABBITMQ_URL, which the config accepts', () => {
    for (const name of CLIENTS) {
      const env = environmentOf(node(name));
      expect(env.QUEUE_TYPE, name).to.equal('quorum');
      const url = substituted(env.RABBITMQ_URL!);
      expect(configSchema.RABBITMQ_URL.safeParse(url).success, `${name}: ${url}`).to.equal(true);
      const hosts = brokerUrls(url).map((u) => new URL(u).host);
      expect(hosts, name).to.deep.equal(NODES.map((n) => `${n}:5672`));
    }
  });

  it('starts the services only once all three nodes are healthy, so every quorum queue gets three members', () => {
    for (const name of CLIENTS) {
      const dependsOn = node(name).depends_on as Record<string, { condition?: string }>;
      for (const rabbit of NODES) {
        expect(dependsOn[rabbit]?.condition, `${name} → ${rabbit}`).to.equal('service_healthy');
      }
    }
  });

  it('has an .env.example entry for every variable it substitutes', () => {
    const keys = new Set(parseEnvFile(readText('.env.example')).map((e) => e.key));
    const missing = [...composeVariables(readText('docker-compose.cluster.yml'))].filter(
      (v) => !keys.has(v),
    );
    expect(missing).to.deep.equal([]);
  });
});

describe('deploy/kubernetes/consumer-scaledobject.yaml', () => {
  it('scales the consumers on the depth of game_events with KEDA', async () => {
    const { parseAllDocuments } = await import('yaml');
    const docs = parseAllDocuments(readText('deploy/kubernetes/consumer-scaledobject.yaml')).map(
      (d) => d.toJSON() as { kind: string; spec: Record<string, unknown> } & ComposeService,
    );
    const scaled = docs.find((d) => d.kind === 'ScaledObject')!;
    expect(scaled, 'a ScaledObject').to.not.equal(undefined);
    const spec = scaled.spec as {
      scaleTargetRef: { name: string };
      minReplicaCount: number;
      maxReplicaCount: number;
      triggers: Array<{ type: string; metadata: Record<string, string> }>;
    };
    expect(spec.scaleTargetRef.name).to.equal('message-consumer');
    expect(spec.minReplicaCount).to.be.at.least(1); // never scaled to zero: retries need a consumer
    expect(spec.maxReplicaCount).to.be.greaterThan(spec.minReplicaCount);
    const trigger = spec.triggers.find((t) => t.type === 'rabbitmq')!;
    expect(trigger.metadata).to.include({ queueName: 'game_events', mode: 'QueueLength' });
    expect(docs.some((d) => d.kind === 'TriggerAuthentication')).to.equal(true);
  });
});
