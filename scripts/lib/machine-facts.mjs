// What this machine has, as machine-plan.mjs needs it. Node's own modules only: this runs before
// `npm ci` has made node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { PACKAGES } from './machine-plan.mjs';

/** Whether `command` is on PATH. */
export function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** Whether something accepts TCP connections at host:port within `ms`. */
export function answers(host, port, ms = 1500) {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(ms, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The Debian packages among `names` that are installed. */
function installedPackages(names) {
  if (!hasCommand('dpkg-query')) return [];
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...names], {
    encoding: 'utf8',
  });
  return (result.stdout ?? '')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(([, status]) => status === 'installed')
    .map(([name]) => name);
}

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** The Chromium the browser tests would start, and whether it is Ubuntu's snap wrapper. */
export function findChromium(env = process.env) {
  const path = env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) return { chromium: undefined, chromiumSnap: false };
  // Ubuntu's /usr/bin/chromium is a shell script that hands over to /snap/bin/chromium
  const head = read(path).slice(0, 4096);
  return { chromium: path, chromiumSnap: head.startsWith('#!') && /snap/.test(head) };
}

/** Whether node_modules exists and was installed from the package-lock.json there now. */
export function nodeModulesCurrent(dir = '.') {
  try {
    const installed = statSync(`${dir}/node_modules/.package-lock.json`).mtimeMs;
    return installed >= statSync(`${dir}/package-lock.json`).mtimeMs;
  } catch {
    return false;
  }
}

/** Everything planMachine needs to know, for `goal` and the settings `env` (.env and environment). */
export async function gatherFacts(goal, env) {
  const dbHost = env.DB_HOST || '127.0.0.1';
  const dbPort = Number(env.DB_PORT || 3306);
  const broker = new URL((env.RABBITMQ_URL || 'amqp://127.0.0.1:5672').split(',')[0]);
  const [mariadbUp, rabbitUp] = await Promise.all([
    answers(dbHost, dbPort),
    answers(broker.hostname, Number(broker.port || 5672)),
  ]);
  return {
    root: process.getuid?.() === 0,
    sudo: hasCommand('sudo'),
    systemd: read('/proc/1/comm').trim() === 'systemd',
    apt: hasCommand('apt-get'),
    distro: /^ID=(.*)$/m.exec(read('/etc/os-release'))?.[1]?.replace(/"/g, '') ?? '',
    installed: installedPackages(PACKAGES[goal]),
    mariadbUp,
    rabbitUp,
    management: /rabbitmq_management/.test(read('/etc/rabbitmq/enabled_plugins')),
    ...findChromium(env),
    nodeModules: nodeModulesCurrent(),
    ci: env.CI === 'true',
  };
}
