// The whole system on a 3-node RabbitMQ cluster with quorum queues and a broker list: 2,000
// events while the node leading `game_events` (and holding every service's connection) is shut
// down and started again. Every task must complete exactly once, nothing may be parked, and the
// relay and the consumers must carry on through the other two nodes meanwhile. The cluster comes
// from scripts/rabbitmq-cluster.sh and is removed afterwards; the machine's own broker is never
// touched, so this can run beside other suites.
import { setTimeout as sleep } from 'node:timers/promises';
import { assertTopology, retryTiers } from '@retro/common';
import { waitFor } from '@retro/common/testing';
import amqplib from 'amqplib';
import { expect } from 'chai';
import { createGames } from './lib/catalog.js';
import { RabbitCluster } from './lib/rabbit-cluster.js';
import { type ConsumerProcess, FAULT_TOKEN } from './lib/services.js';
import { FaultWorld, type Settled, describeState, summarize } from './lib/world.js';

const EVENTS = 2000;
/** Games created per second: the run lasts long enough for the loss to land in its middle. */
const CREATES_PER_SECOND = 25;
const CONSUMER_SETTINGS = {
  PROCESSING_DELAY_MS: 20,
  PREFETCH: 20,
  MAX_RETRIES: 3,
  RETRY_DELAY_MS: 1000,
  LOG_LEVEL: 'error',
};

describe('when the RabbitMQ node leading game_events is lost in the middle of a 2,000-event run on a quorum cluster', function () {
  this.timeout(20 * 60_000);

  const cluster = new RabbitCluster();
  let world: FaultWorld | undefined;
  let consumers: ConsumerProcess[] = [];
  let end: Settled;
  let lost: number;
  const figures: Record<string, number | string> = {};

  before(async function () {
    const started = performance.now();
    const since = () => Math.round((performance.now() - started) / 100) / 10;
    await cluster.start();
    figures.clusterStartSeconds = since();

    // the queues are declared through node 2, so it leads them (quorum queues are led by the node
    // they are declared on); every service lists node 2 first, so it also holds their connections
    const prefix = 'cluster_node_loss';
    const queueType = 'quorum' as const;
    world = await FaultWorld.open(prefix, {
      url: [2, 3, 1].map((n) => cluster.url(n)).join(','),
      probeUrl: cluster.url(1),
      queueType,
      declare: async (queues) => {
        const connection = await amqplib.connect(cluster.url(2));
        try {
          await assertTopology(await connection.createChannel(), queues, {
            queueType,
            retryTiers: retryTiers(CONSUMER_SETTINGS.RETRY_DELAY_MS),
          });
        } finally {
          await connection.close();
        }
      },
    });
    lost = await cluster.leaderOf(world.queues.main);
    expect(lost, 'the node leading game_events').to.equal(2);

    const backend = await world.backend();
    const fleet = world.consumers({
      ...CONSUMER_SETTINGS,
      BACKEND_URL: backend.url,
      INTERNAL_API_TOKEN: FAULT_TOKEN,
    });
    consumers = [await fleet.spawn(), await fleet.spawn()];

    const runStarted = performance.now();
    const at = () => Math.round((performance.now() - runStarted) / 100) / 10;
    const creating = (async () => {
      for (let done = 0; done < EVENTS; done += CREATES_PER_SECOND) {
        await createGames(backend, Math.min(CREATES_PER_SECOND, EVENTS - done));
        const due = ((done + CREATES_PER_SECOND) / CREATES_PER_SECOND) * 1000;
        await sleep(Math.max(0, due - (performance.now() - runStarted)));
      }
      figures.createdAtSeconds = at();
    })();
    const completed = async () => summarize(await world!.tasks()).completed;

    await waitFor('a quarter of the run to complete', async () => (await completed()) >= 500, {
      timeoutMs: 300_000,
      intervalMs: 250,
    });
    figures.completedAtLoss = await completed();
    await cluster.stopNode(lost);
    figures.nodeDownAtSeconds = at();
    // the scenario itself: the run goes on without the node for a while before it is back
    await waitFor(
      'the run to carry on without the node',
      async () => (await completed()) >= Number(figures.completedAtLoss) + 300,
      { timeoutMs: 300_000, intervalMs: 250 },
    );
    figures.completedWhileDown = (await completed()) - Number(figures.completedAtLoss);
    figures.leaderWhileDown = await cluster.leaderOf(world.queues.main);
    await cluster.startNode(lost);
    figures.nodeBackAtSeconds = at();
    figures.completedWhileRestarting =
      (await completed()) - Number(figures.completedAtLoss) - Number(figures.completedWhileDown);

    await creating;
    end = await world.settle({ tasks: EVENTS, timeoutMs: 600_000 });
    figures.settledAtSeconds = at();
    figures.completedReports = 0;
    for (const consumer of consumers) {
      const text = await (await fetch(`${consumer.url}/metrics`)).text();
      figures.completedReports += metric(text, 'consumer_messages_completed_total');
    }
    figures.members = JSON.stringify(
      (await cluster.queues()).find((q) => q.name === world!.queues.main)?.members ?? [],
    );
    console.log(
      [
        '',
        `    cluster up in ${figures.clusterStartSeconds} s; node rgc${lost} (leader of game_events, first in every list) shut down at ${figures.nodeDownAtSeconds} s with ${figures.completedAtLoss} tasks completed`,
        `    while it was down: ${figures.completedWhileDown} more completed, game_events led by rgc${figures.leaderWhileDown}; ${figures.completedWhileRestarting} more while it restarted; back at ${figures.nodeBackAtSeconds} s`,
        `    ${EVENTS} games created by ${figures.createdAtSeconds} s; run ${end.outcome} at ${figures.settledAtSeconds} s; completions reported by the consumers: ${figures.completedReports}`,
        `    at the end: ${describeState(end.state)}; game_events members ${figures.members}`,
        '',
      ].join('\n'),
    );
  });

  after(async () => {
    try {
      await world?.close();
    } finally {
      await cluster.stop();
    }
  });

  it('then every task is completed, none failed, and the queues and the outbox are empty', () => {
    expect(end.outcome, describeState(end.state)).to.equal('settled');
    expect(summarize(end.state.tasks)).to.deep.equal({
      pending: 0,
      processing: 0,
      completed: EVENTS,
      failed: 0,
    });
    expect(
      { main: end.state.main, retry: end.state.retry, unpublished: end.state.unpublished },
      describeState(end.state),
    ).to.deep.equal({ main: 0, retry: 0, unpublished: 0 });
  });

  it('then nothing is parked in the DLQ', () => {
    expect(end.state.dlq, describeState(end.state)).to.equal(0);
  });

  it('then each task was completed exactly once (a redelivered copy changes nothing)', () => {
    expect(figures.completedReports).to.equal(EVENTS);
    expect(end.state.tasks.every((t) => t.attempts >= 1)).to.equal(true);
  });

  it('then the relay and the consumers carried on through the other nodes while it was down', () => {
    expect(figures.completedWhileDown).to.be.at.least(300);
    expect(figures.leaderWhileDown).to.not.equal(lost);
  });
});

/** A counter's value in Prometheus text; 0 when absent. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
