import { readFileSync } from 'node:fs';
import { startBackend, type RunningBackend } from '@retro/backend';
import type { ALERT_RULES } from '@retro/common';
import { TEST_METRICS_TOKEN, TEST_TOKEN, waitFor } from '@retro/common/testing';
import { openTestResources, type TestResources } from '@retro/database/testing';
import { startConsumer, type RunningConsumer } from '@retro/message-consumer';
import { startProducer, type RunningProducer } from '@retro/message-producer';
import { expect } from 'chai';
import { parse } from 'yaml';

/** PromQL words that are not metric names. */
const PROMQL = new Set(
  'sum max min avg count rate irate increase histogram_quantile vector absent by without on ignoring group_left group_right bool offset and or unless'.split(
    ' ',
  ),
);

/** The metric names an expression reads: what is left once strings, matchers and ranges go. */
export function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1');
  return [...bare.matchAll(/(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*/g)]
    .map((m) => m[0])
    .filter((word) => !PROMQL.has(word));
}

/**
 * Every metric a Prometheus text exposition declares (`# TYPE`, so a metric without samples at
 * the moment counts; a histogram with its _bucket, _sum and _count) and every sample name.
 */
function exposedNames(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      // a labelled histogram has no sample before its first observation
      return type === 'histogram'
        ? [name!, `${name}_bucket`, `${name}_sum`, `${name}_count`]
        : [name!];
    }
    if (!line || line.startsWith('#')) return [];
    return [line.match(/^[A-Za-z_:][A-Za-z0-9_:]*/)![0]];
  });
}

interface RuleFile {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}
interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

describe('Prometheus alert rules and the Grafana dashboard', function () {
  this.timeout(60_000);
  let resources: TestResources;
  let backend: RunningBackend;
  let consumer: RunningConsumer;
  let producer: RunningProducer;
  // `up` is written by Prometheus itself for every target it scrapes
  const exported = new Set(['up']);

  const rules = (
    parse(readFileSync('deploy/prometheus/alerts.yml', 'utf8')) as RuleFile
  ).groups.flatMap((g) => g.rules);
  const dashboard = JSON.parse(
    readFileSync('deploy/grafana/retro-games-catalog.json', 'utf8'),
  ) as Dashboard;

  before(async () => {
    resources = await openTestResources('promrules');
    const db = resources.database.database;
    const logLevel = 'error';
    backend = await startBackend({
      queues: resources.queues,
      config: {
        DB_NAME: db,
        BACKEND_PORT: 0,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        LOG_LEVEL: logLevel,
      },
    });
    consumer = await startConsumer({
      queues: resources.queues,
      config: {
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        CONSUMER_PORT: 0,
        LOG_LEVEL: logLevel,
      },
    });
    producer = await startProducer({
      queues: resources.queues,
      config: {
        PRODUCER_PORT: 0,
        DB_NAME: db,
        BACKEND_URL: backend.url,
        INTERNAL_API_TOKEN: TEST_TOKEN,
        METRICS_TOKEN: TEST_METRICS_TOKEN,
        LOG_LEVEL: logLevel,
      },
    });
    await waitFor('the backend to reach the broker', async () =>
      (await fetch(`${backend.url}/ready`)).status === 200 ? true : undefined,
    );
    const auth = { authorization: `Bearer ${TEST_METRICS_TOKEN}` };
    for (const url of [
      `${backend.url}/metrics`,
      `http://127.0.0.1:${consumer.port}/metrics`,
      `http://127.0.0.1:${producer.port}/metrics`,
    ]) {
      const res = await fetch(url, { headers: auth });
      expect(res.status, url).to.equal(200);
      for (const name of exposedNames(await res.text())) exported.add(name);
    }
  });

  after(async () => {
    await producer?.stop();
    await consumer?.stop();
    await backend?.stop();
    await resources?.release();
  });

  it('reads the metric names out of an expression (and so would catch an unknown one)', () => {
    expect(
      metricNamesIn(
        '(max by (queue) (broker_queue_messages{role="dlq"}) or vector(0)) + sum(increase(made_up_total[5m])) >= 20',
      ),
    ).to.deep.equal(['broker_queue_messages', 'made_up_total']);
    expect(
      metricNamesIn('histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[5m])))'),
    ).to.deep.equal(['x_seconds_bucket']);
  });

  it('ships a rule for every built-in alert, plus backend down and database down', () => {
    const names = rules.map((r) => r.alert);
    expect(names).to.include.members([
      'RetroBackendDown',
      'RetroDatabaseDown',
      'RetroConsumerCircuitOpen',
    ]);
    const byRule: Record<(typeof ALERT_RULES)[number], string> = {
      'tasks-stalled': 'RetroTasksStalled',
      'dead-letters': 'RetroDeadLetters',
      'no-consumer': 'RetroNoConsumer',
      'outbox-stuck': 'RetroOutboxStuck',
      'broker-unreachable': 'RetroBrokerUnreachable',
    };
    expect(names).to.include.members(Object.values(byRule));
  });

  it('names in every alert expression only metrics the services export', () => {
    for (const rule of rules) {
      const names = metricNamesIn(rule.expr);
      expect(names, rule.alert).to.have.length.above(0);
      expect(
        names.filter((n) => !exported.has(n)),
        rule.alert,
      ).to.deep.equal([]);
    }
  });

  it('names in every dashboard query only metrics the services export', () => {
    expect(dashboard.panels).to.have.length.above(0);
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const names = metricNamesIn(target.expr);
        expect(names, panel.title).to.have.length.above(0);
        expect(
          names.filter((n) => !exported.has(n)),
          panel.title,
        ).to.deep.equal([]);
      }
    }
  });
});
