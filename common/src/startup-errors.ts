import { ConfigError } from './config.js';

/** A service a process depends on, as a newcomer would name it. */
export type Dependency = 'MySQL' | 'RabbitMQ' | 'the backend';

/** A dependency that refused or could not be reached while the service started. */
export class DependencyError extends Error {
  constructor(
    readonly dependency: Dependency,
    /** `host:port` (never a password). */
    readonly target: string,
    /** The account used, when there is one. */
    readonly user: string | undefined,
    options: { cause: unknown },
  ) {
    super(`${dependency} at ${target}: ${messageOf(options.cause)}`, options);
    this.name = 'DependencyError';
  }
}

/** The address and account of a connection URL, without its password. */
export function describeUrl(url: string): { target: string; user: string | undefined } {
  try {
    const parsed = new URL(url);
    const port = parsed.port || (parsed.protocol === 'amqps:' ? '5671' : '5672');
    return { target: `${parsed.hostname}:${port}`, user: decodeURIComponent(parsed.username) };
  } catch {
    return { target: '(an address that is not a URL)', user: undefined };
  }
}

/** Where the variable that sets what failed is, for the fix of each kind of failure. */
export interface StartupContext {
  service: string;
  /** The variable of the port the service listens on, e.g. BACKEND_PORT. */
  portVariable?: string;
}

const SETUP = 'run `sudo npm run setup` once (it creates a development user and writes it to .env)';
const MORE = 'more in docs/troubleshooting.md';

const FIXES: Record<Dependency, Record<Problem, string>> = {
  MySQL: {
    denied: `${SETUP}, or set DB_USER and DB_PASSWORD in .env`,
    refused:
      'start it (`sudo systemctl start mariadb`), or set DB_HOST and DB_PORT in .env to where it listens',
    unknownHost: 'set DB_HOST in .env to the machine MySQL runs on (127.0.0.1 for this one)',
    timeout: 'check DB_HOST and DB_PORT in .env, and that no firewall is in the way',
    other: 'check the DB_* settings in .env',
  },
  RabbitMQ: {
    denied:
      'put a user and password RabbitMQ knows into RABBITMQ_URL in .env (guest/guest works from this machine only)',
    refused:
      'start it (`sudo systemctl start rabbitmq-server`), or set RABBITMQ_URL in .env to where it listens',
    unknownHost: 'set the host in RABBITMQ_URL in .env (127.0.0.1 for this machine)',
    timeout: 'check the host and port in RABBITMQ_URL in .env, and that no firewall is in the way',
    other: 'check RABBITMQ_URL in .env',
  },
  'the backend': {
    denied: 'set the same INTERNAL_API_TOKEN for the backend and this service',
    refused: 'start the backend (`npm start` starts every service), or set BACKEND_URL in .env',
    unknownHost: 'set the host in BACKEND_URL in .env (127.0.0.1 for this machine)',
    timeout: 'check BACKEND_URL in .env',
    other: 'check BACKEND_URL in .env',
  },
};

type Problem = 'denied' | 'refused' | 'unknownHost' | 'timeout' | 'other';

/** Node, mysql2 and amqplib say the same few things in their own words; this reads them. */
function problemOf(error: unknown): Problem {
  const { code, errno } = (error ?? {}) as { code?: unknown; errno?: unknown };
  const text = messageOf(error);
  if (
    (typeof code === 'string' && /ACCESS_DENIED/.test(code)) ||
    errno === 1044 ||
    errno === 1045 ||
    errno === 1698 ||
    /ACCESS[-_]REFUSED|\b403\b|NOT[-_]ALLOWED|\b530\b/.test(text)
  ) {
    return 'denied';
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) return 'refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /ENOTFOUND|EAI_AGAIN/.test(text)) {
    return 'unknownHost';
  }
  if (code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(text)) return 'timeout';
  return 'other';
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) return messageOf(error.errors[0]);
  if (error instanceof Error)
    return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

function dependencyLine(error: DependencyError): string {
  const problem = problemOf(error.cause);
  const who = error.user ? ` as user '${error.user}'` : '';
  const what: Record<Problem, string> = {
    denied: `${error.dependency} at ${error.target} refused access${who}`,
    refused: `${error.dependency} at ${error.target} refused the connection (is it running? is the port right?)`,
    unknownHost: `${error.dependency} host '${error.target.replace(/:\d+$/, '')}' is unknown`,
    timeout: `${error.dependency} at ${error.target} did not answer in time`,
    other: `${error.dependency} at ${error.target} failed: ${messageOf(error.cause)}`,
  };
  return `${what[problem]}. Fix: ${FIXES[error.dependency][problem]}`;
}

/**
 * The one plain line a service prints when it cannot start: which service, what went wrong and
 * how to fix it, with no stack trace (a newcomer reads it in a terminal, an operator in a log).
 */
export function startupErrorLine(error: unknown, context: StartupContext): string {
  const { service } = context;
  const prefix = `${service} cannot start: `;
  if (error instanceof ConfigError) {
    return `${prefix}invalid configuration (${error.issues.join('; ')}). Fix: correct it in .env or the environment (.env.example explains each variable)`;
  }
  if (error instanceof DependencyError) return `${prefix}${dependencyLine(error)}; ${MORE}`;
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  const variable = context.portVariable ?? 'its port variable';
  if (code === 'EADDRINUSE') {
    return `${prefix}port ${String(port)} is already in use (another copy running, e.g. an earlier \`npm start\`?). Fix: stop that process (\`ss -ltnp 'sport = :${String(port)}'\` shows it) or set ${variable} in .env to a free port`;
  }
  if (code === 'EACCES' && port !== undefined) {
    return `${prefix}port ${String(port)} needs more rights than this user has. Fix: set ${variable} in .env to a port above 1023`;
  }
  return `${prefix}${messageOf(error)}; ${MORE}`;
}
