// A newcomer's first `npm start` against a machine that is not set up yet: each service refuses
// to start with one plain line naming itself, the problem and the fix, never a stack trace.
import { createServer, type Server } from 'node:net';
import { freePort, uniqueName } from '@retro/common/testing';
import { expect } from 'chai';
import { type Ended, runEntryPoint } from './lib/spawn-service.js';

/** The one line on stderr, after checking it is the only output that explains the failure. */
function oneLine(ended: Ended): string {
  const all = `${ended.stdout}\n${ended.stderr}`;
  expect(ended.code, all).to.equal(1);
  expect(all, 'no stack trace').not.to.match(/^\s+at /m);
  const lines = ended.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, ended.stderr).to.have.length(1);
  expect(lines[0]).not.to.match(/^\{/); // plain text, not a JSON log line
  return lines[0]!;
}

describe('startup errors a newcomer understands', function () {
  this.timeout(60_000);
  let occupied: Server | undefined;
  after(() => occupied?.close());

  it('when MySQL refuses the account, then the backend names MySQL, the user and `npm run setup`', async () => {
    const user = uniqueName('nobody');
    const line = oneLine(
      await runEntryPoint('backend', {
        DB_USER: user,
        DB_PASSWORD: 'wrong-password',
        // the migrate step (the first to connect) as this user too, whatever .env names for it
        DB_MIGRATE_USER: '',
        DB_MIGRATE_PASSWORD: '',
        DB_NAME: uniqueName('never'),
      }),
    );
    expect(line).to.match(/^backend cannot start: MySQL at \S+:\d+ refused access as user/);
    expect(line).to.include(user).and.include('sudo npm run setup').and.include('DB_PASSWORD');
  });

  it('when nothing listens on the MySQL port, then the backend says the connection was refused and how to start MySQL', async () => {
    const port = await freePort();
    const line = oneLine(await runEntryPoint('backend', { DB_PORT: String(port) }));
    expect(line).to.match(
      new RegExp(`^backend cannot start: MySQL at 127\\.0\\.0\\.1:${port} refused the connection`),
    );
    expect(line).to.include('systemctl start mariadb').and.include('DB_PORT');
  });

  it('when the MySQL host does not exist, then the producer says the host is unknown and names DB_HOST', async () => {
    const line = oneLine(
      await runEntryPoint('message-producer', {
        DB_HOST: 'no-such-host.invalid',
        PRODUCER_PORT: '0',
      }),
    );
    expect(line).to.match(
      /^message-producer cannot start: MySQL host 'no-such-host\.invalid' is unknown/,
    );
    expect(line).to.include('DB_HOST');
  });

  it('when nothing listens on the RabbitMQ port, then the consumer says so and how to start RabbitMQ', async () => {
    const port = await freePort();
    const line = oneLine(
      await runEntryPoint('message-consumer', {
        RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${port}`,
        CONSUMER_PORT: '0',
      }),
    );
    expect(line).to.match(
      new RegExp(
        `^message-consumer cannot start: RabbitMQ at 127\\.0\\.0\\.1:${port} refused the connection`,
      ),
    );
    expect(line).to.include('systemctl start rabbitmq-server').and.include('RABBITMQ_URL');
    expect(line).not.to.include('guest:guest'); // never a password
  });

  it('when RabbitMQ refuses the account, then the consumer names the user and RABBITMQ_URL, not the password', async () => {
    const broker = new URL(process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
    broker.username = uniqueName('nobody');
    broker.password = 'not-the-password';
    const line = oneLine(
      await runEntryPoint('message-consumer', {
        RABBITMQ_URL: broker.toString(),
        CONSUMER_PORT: '0',
      }),
    );
    expect(line).to.match(/^message-consumer cannot start: RabbitMQ at \S+ refused access as user/);
    expect(line).to.include(broker.username).and.include('RABBITMQ_URL');
    expect(line).not.to.include('not-the-password');
  });

  it('when its port is taken, then the consumer names the port, the variable and how to find the other process', async () => {
    occupied = createServer();
    await new Promise<void>((resolve) => occupied!.listen(0, '127.0.0.1', resolve));
    const { port } = occupied.address() as { port: number };
    const line = oneLine(
      await runEntryPoint('message-consumer', {
        CONSUMER_PORT: String(port),
        PROCESSING_DELAY_MS: '0',
      }),
    );
    expect(line).to.match(
      new RegExp(`^message-consumer cannot start: port ${port} is already in use`),
    );
    expect(line).to.include('CONSUMER_PORT');
  });

  it('when a setting is invalid, then the service names the variable', async () => {
    const line = oneLine(await runEntryPoint('backend', { DB_PORT: 'three-thousand' }));
    expect(line).to.match(/^backend cannot start: invalid configuration \(DB_PORT: /);
    expect(line).to.include('.env.example');
  });

  it('when the migrate step cannot reach MySQL, then it too prints one line with the fix', async () => {
    const port = await freePort();
    const line = oneLine(await runEntryPoint('database', { DB_PORT: String(port) }, 'dist/cli.js'));
    expect(line).to.match(
      /^migrate cannot start: MySQL at 127\.0\.0\.1:\d+ refused the connection/,
    );
  });
});
