import { expect } from 'chai';
import { brokerUrls } from '../src/broker-urls.js';
import { ConfigError, configSchema, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('fills every key with its default when the environment is empty', () => {
    const config = loadConfig(Object.keys(configSchema) as (keyof typeof configSchema)[], {}, {});
    expect(config).to.include({
      DB_HOST: '127.0.0.1',
      DB_PORT: 3306,
      RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
      MAX_RETRIES: 3,
      PREFETCH: 100,
      PROCESSING_DELAY_MS: 2000,
      TASK_STALLED_AFTER_MS: 600_000,
    });
  });

  it('reads and converts values from the environment, with overrides on top', () => {
    const config = loadConfig(
      ['DB_PORT', 'PREFETCH'],
      { PREFETCH: 50 },
      { DB_PORT: '3307', PREFETCH: '5' },
    );
    expect(config).to.deep.equal({ DB_PORT: 3307, PREFETCH: 50 });
  });

  const bad: [string, Record<string, string>][] = [
    ['DB_PORT', { DB_PORT: 'mysql' }],
    ['DB_PORT', { DB_PORT: '70000' }],
    ['PREFETCH', { PREFETCH: '0' }],
    ['RABBITMQ_URL', { RABBITMQ_URL: 'http://broker' }],
    ['RABBITMQ_URL', { RABBITMQ_URL: 'amqp://a:5672,http://b:5672' }],
    ['RABBITMQ_URL', { RABBITMQ_URL: 'amqp://a:5672,amqp://b:port' }],
    ['RABBITMQ_URL', { RABBITMQ_URL: ' , ' }],
    ['QUEUE_TYPE', { QUEUE_TYPE: 'mirrored' }],
    ['BACKEND_URL', { BACKEND_URL: 'ftp://backend' }],
    ['INTERNAL_API_TOKEN', { INTERNAL_API_TOKEN: 'short' }],
    ['DB_NAME', { DB_NAME: 'drop table;' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['TASK_STALLED_AFTER_MS', { TASK_STALLED_AFTER_MS: '999' }],
    ['ALERT_LEASE_MS', { ALERT_LEASE_MS: '1000' }],
    ['TASK_STALLED_AFTER_MS', { TASK_STALLED_AFTER_MS: '10 minutes' }],
    ['RATE_LIMIT_PER_MINUTE', { RATE_LIMIT_PER_MINUTE: '-1' }],
    ['RATE_LIMIT_PER_MINUTE', { RATE_LIMIT_PER_MINUTE: 'lots' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'uniquelocal' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/33' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'loopback, nginx' }],
    ['TRUST_PROXY', { TRUST_PROXY: '99' }],
  ];
  for (const [variable, env] of bad) {
    it(`stops with an error naming ${variable} for ${JSON.stringify(Object.values(env)[0])}`, () => {
      expect(() => loadConfig(Object.keys(configSchema) as (keyof typeof configSchema)[], {}, env))
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(new RegExp(`${variable}:`));
    });
  }

  it('accepts a comma-separated list of broker nodes and QUEUE_TYPE=quorum', () => {
    const list = 'amqp://u:p@rabbit-1:5672, amqp://u:p@rabbit-2:5672,amqps://u:p@rabbit-3:5671';
    const config = loadConfig(
      ['RABBITMQ_URL', 'QUEUE_TYPE'],
      {},
      {
        RABBITMQ_URL: list,
        QUEUE_TYPE: 'quorum',
      },
    );
    expect(config).to.deep.equal({ RABBITMQ_URL: list, QUEUE_TYPE: 'quorum' });
    expect(brokerUrls(config.RABBITMQ_URL)).to.deep.equal([
      'amqp://u:p@rabbit-1:5672',
      'amqp://u:p@rabbit-2:5672',
      'amqps://u:p@rabbit-3:5671',
    ]);
    expect(loadConfig(['QUEUE_TYPE'], {}, {}).QUEUE_TYPE).to.equal('classic');
  });

  it('names the node of a broker list that is wrong, without its password', () => {
    let message = '';
    try {
      loadConfig(['RABBITMQ_URL'], {}, { RABBITMQ_URL: 'amqp://u:secret@a,http://u:secret@b' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.match(
      /RABBITMQ_URL: node 2 of the list \("http:\/\/\*\*\*@b"\): must start/,
    );
    expect(message).not.to.include('secret');
  });

  it('refuses the development token in production', () => {
    expect(() => loadConfig(['INTERNAL_API_TOKEN'], {}, { NODE_ENV: 'production' })).to.throw(
      /INTERNAL_API_TOKEN: must be set/,
    );
    expect(
      loadConfig(
        ['INTERNAL_API_TOKEN'],
        {},
        { NODE_ENV: 'production', INTERNAL_API_TOKEN: 'a-real-secret-value-1234' },
      ),
    ).to.deep.equal({ INTERNAL_API_TOKEN: 'a-real-secret-value-1234' });
  });

  it('reads TRUST_PROXY as nobody, a hop count or a list of addresses, ranges and loopback', () => {
    const read = (value: string) => loadConfig(['TRUST_PROXY'], {}, { TRUST_PROXY: value });
    expect(loadConfig(['TRUST_PROXY'], {}, {})).to.deep.equal({ TRUST_PROXY: false });
    expect(read('')).to.deep.equal({ TRUST_PROXY: false });
    expect(read('false')).to.deep.equal({ TRUST_PROXY: false });
    expect(read('1')).to.deep.equal({ TRUST_PROXY: 1 });
    expect(read('loopback')).to.deep.equal({ TRUST_PROXY: ['loopback'] });
    expect(read(' 10.0.0.5, 172.18.0.0/16 ,fd00::/8, ::1')).to.deep.equal({
      TRUST_PROXY: ['10.0.0.5', '172.18.0.0/16', 'fd00::/8', '::1'],
    });
  });

  it('reads RATE_LIMIT_PER_MINUTE, 1200 unless set, 0 meaning no limit', () => {
    expect(loadConfig(['RATE_LIMIT_PER_MINUTE'], {}, {})).to.deep.equal({
      RATE_LIMIT_PER_MINUTE: 1200,
    });
    expect(loadConfig(['RATE_LIMIT_PER_MINUTE'], {}, { RATE_LIMIT_PER_MINUTE: '0' })).to.deep.equal(
      { RATE_LIMIT_PER_MINUTE: 0 },
    );
  });
});
