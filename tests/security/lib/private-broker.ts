// One RabbitMQ node of its own beside the machine's broker, from the installed rabbitmq-server
// (as scripts/rabbitmq-cluster.sh makes them): its own node name, AMQP and distribution ports,
// config and data under a temporary folder owned by the rabbitmq user, the machine's Erlang
// cookie. Needs root (or the rabbitmq user). The machine's own node is never touched.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/rabbitmq/bin';

export interface PrivateBroker {
  node: string;
  port: number;
  /** rabbitmqctl against this node; throws with its output when it fails. */
  ctl(...args: string[]): string;
  stop(): Promise<void>;
}

function uid(name: string): number | undefined {
  const result = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/** Whether this machine can run one: rabbitmq-server installed and we are root (or rabbitmq). */
export function canRunPrivateBroker(): boolean {
  const rabbitmq = uid('rabbitmq');
  return (
    rabbitmq !== undefined &&
    (userInfo().uid === 0 || userInfo().uid === rabbitmq) &&
    spawnSync(`${BIN}/rabbitmqctl`, ['version'], { stdio: 'ignore' }).status !== null
  );
}

/**
 * Starts the node; `script`, when given, is run instead of rabbitmq-server (it starts the server
 * itself, as deploy/rabbitmq/accounts.sh does), with `env` added.
 */
export async function startPrivateBroker(
  port: number,
  distPort: number,
  { script, env: extra = {} }: { script?: string; env?: Record<string, string> } = {},
): Promise<PrivateBroker> {
  const name = `retro${randomBytes(3).toString('hex')}`;
  const node = `${name}@localhost`;
  const dir = `/tmp/${name}`;
  mkdirSync(join(dir, 'mnesia'), { recursive: true });
  mkdirSync(join(dir, 'log'), { recursive: true });
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, 'enabled_plugins'), '[].');
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.local = 127.0.0.1:${port}`,
      'vm_memory_high_watermark.absolute = 256MB',
      'disk_free_limit.absolute = 50MB',
      '',
    ].join('\n'),
  );
  const owner = uid('rabbitmq')!;
  for (const path of [
    '',
    'mnesia',
    'log',
    'rabbitmq-env.conf',
    'enabled_plugins',
    'rabbitmq.conf',
  ]) {
    chownSync(join(dir, path), owner, owner);
  }
  const env = {
    PATH: `${BIN}:${process.env.PATH ?? ''}`,
    HOME: '/var/lib/rabbitmq',
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1} +S 1:1 +A 8',
    ...extra,
  };
  const asRabbitmq = (command: string, args: string[]) =>
    userInfo().uid === owner
      ? { command, args }
      : { command: 'runuser', args: ['-u', 'rabbitmq', '--', command, ...args] };
  // runuser starts from a clean environment: the node's settings go through env(1)
  const server = asRabbitmq('env', [
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...(script ? ['bash', script] : [`${BIN}/rabbitmq-server`]),
  ]);
  const child: ChildProcess = spawn(server.command, server.args, {
    env,
    stdio: process.env.TEST_LOGS ? 'inherit' : 'ignore',
  });
  const ctl = (...args: string[]) => {
    const call = asRabbitmq(`${BIN}/rabbitmqctl`, ['-q', '-n', node, ...args]);
    const result = spawnSync(call.command, call.args, { env, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) {
      throw new Error(`rabbitmqctl ${args.join(' ')}: ${result.stderr || result.stdout}`);
    }
    return result.stdout;
  };
  const exited = new Promise((resolve) => child.once('exit', resolve));
  /** Stops the node with SIGTERM (as `docker stop` does), then rabbitmqctl when that fails. */
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        exited.then(() => true),
        new Promise((resolve) => setTimeout(() => resolve(false), 30_000)),
      ]);
      if (!stopped) {
        try {
          ctl('stop');
        } catch {
          child.kill('SIGKILL');
        }
        await exited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // the node registers with epmd a few seconds after it starts; await_startup needs it there
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      ctl('await_startup', '--timeout', '60');
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  return { node, port, ctl, stop };
}
