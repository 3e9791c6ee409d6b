// The broker users of deploy/rabbitmq/accounts.sh on a real RabbitMQ: each does what its service
// does (declare the topology, publish, consume, the backend's live-stream exchange) and is refused
// the rest. A private node of its own (tests/security/lib/private-broker.ts), so the machine's
// broker keeps its users.
import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertTopology, queueNames, retryTierQueue } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import { expect } from 'chai';
import amqplib from 'amqplib';
import { accountsInScript } from '../containers/lib/broker-accounts.js';
import {
  canRunPrivateBroker,
  startPrivateBroker,
  type PrivateBroker,
} from './lib/private-broker.js';

const PORT = 18261;
const DIST_PORT = 18262;
const queues = queueNames();
const TIERS = [1000];
const SCRIPT = fileURLToPath(new URL('../../deploy/rabbitmq/accounts.sh', import.meta.url));

describe('broker users on a real RabbitMQ', function () {
  this.timeout(300_000);
  let broker: PrivateBroker | undefined;
  const passwords = new Map<string, string>();

  const ready = `/tmp/retro-accounts-ready-${process.pid}`;

  // the broker is started by the compose service's own script, which creates the users
  before(async function () {
    if (!canRunPrivateBroker()) this.skip();
    const env: Record<string, string> = { RETRO_ACCOUNTS_READY_FILE: ready };
    for (const variable of accountsInScript().keys()) {
      passwords.set(variable, `pw-${variable.toLowerCase()}`);
      env[variable] = variable.toLowerCase();
      env[variable.replace(/_USER$/, '_PASS')] = passwords.get(variable)!;
    }
    broker = await startPrivateBroker(PORT, DIST_PORT, { script: SCRIPT, env });
    // a dozen rabbitmqctl calls, each an Erlang VM of its own: slow on a busy machine
    await waitFor('the accounts script to finish', () => existsSync(ready), {
      timeoutMs: 180_000,
      intervalMs: 200,
    });
  });
  after(async () => {
    await broker?.stop();
    rmSync(ready, { force: true });
  });

  it('the script made the three users, with no tags (no management UI)', () => {
    const users = broker!
      .ctl('list_users')
      .trim()
      .split('\n')
      .filter((l) => !/^user\s/.test(l))
      .map((l) => l.split('\t'));
    for (const variable of accountsInScript().keys()) {
      expect(users, variable).to.deep.include([variable.toLowerCase(), '[]']);
    }
  });

  const connect = (variable: string) =>
    amqplib.connect(
      `amqp://${variable.toLowerCase()}:${passwords.get(variable)}@127.0.0.1:${PORT}`,
    );

  /** Runs `work` on a fresh channel: resolves true, or false when the broker refused it (403). */
  async function allowed(
    connection: amqplib.ChannelModel,
    work: (channel: amqplib.Channel) => Promise<unknown>,
  ): Promise<boolean> {
    const channel = await connection.createChannel();
    const closed = new Promise<boolean>((resolve) =>
      channel.once('error', (error: { code?: number }) => resolve(error.code !== 403)),
    );
    try {
      const done = await Promise.race([work(channel).then(() => true), closed]);
      if (done) {
        // a publish is refused asynchronously: a round trip after it lets the refusal arrive
        await Promise.race([channel.checkQueue(queues.main).then(() => true), closed]);
      }
      const ok = await Promise.race([closed, Promise.resolve(true)]);
      await channel.close().catch(() => undefined);
      return ok;
    } catch {
      return false;
    }
  }

  for (const variable of ['RABBITMQ_CONSUMER_USER', 'RABBITMQ_PRODUCER_USER']) {
    it(`${variable}: declares the topology, publishes through the default exchange, consumes its queues; nothing else`, async () => {
      const connection = await connect(variable);
      try {
        const topology = (c: amqplib.Channel) => assertTopology(c, queues, { retryTiers: TIERS });
        expect(await allowed(connection, topology), 'topology').to.equal(true);
        expect(
          await allowed(connection, async (c) =>
            c.sendToQueue(retryTierQueue(queues.main, 1000), Buffer.from('{}')),
          ),
          'publish to a retry tier',
        ).to.equal(true);
        expect(
          await allowed(connection, (c) => c.get(queues.dlq)),
          'read the parked messages',
        ).to.equal(true);
        expect(
          await allowed(connection, (c) => c.consume(queues.main, () => undefined)),
          'consume game_events',
        ).to.equal(true);

        expect(
          await allowed(connection, (c) => c.assertQueue('someone_elses_queue')),
          'declare another queue',
        ).to.equal(false);
        expect(
          await allowed(connection, (c) => c.assertExchange('task_changes', 'fanout')),
          "declare the backend's exchange",
        ).to.equal(false);
        expect(
          await allowed(connection, (c) => c.deleteQueue('amq.gen-not-mine')),
          'delete a queue outside its own',
        ).to.equal(false);
      } finally {
        await connection.close();
      }
    });
  }

  it("RABBITMQ_BACKEND_USER: the topology, the relay's publish, the live stream's exchange and its server-named queue", async () => {
    const connection = await connect('RABBITMQ_BACKEND_USER');
    try {
      expect(
        await allowed(connection, (c) => assertTopology(c, queues, { retryTiers: TIERS })),
        'topology',
      ).to.equal(true);
      expect(
        await allowed(connection, async (c) => c.sendToQueue(queues.main, Buffer.from('{}'))),
        'relay publish',
      ).to.equal(true);
      expect(
        await allowed(connection, async (c) => {
          await c.assertExchange('task_changes', 'fanout', { durable: false, autoDelete: true });
          const { queue } = await c.assertQueue('', { exclusive: true, autoDelete: true });
          await c.bindQueue(queue, 'task_changes', '');
          await c.consume(queue, () => undefined);
          c.publish('task_changes', '', Buffer.from('{}'));
        }),
        'live stream',
      ).to.equal(true);
      expect(
        await allowed(connection, (c) => c.assertQueue('someone_elses_queue')),
        'declare another queue',
      ).to.equal(false);
      expect(
        await allowed(connection, (c) => c.assertExchange('amq.custom', 'topic')),
        'declare another exchange',
      ).to.equal(false);
    } finally {
      await connection.close();
    }
  });
});
