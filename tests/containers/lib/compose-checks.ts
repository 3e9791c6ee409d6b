// What docker-compose.yml must get right. Each check returns readable problems (empty when all
// is well), so a failing test says what to fix.
import { posix } from 'node:path';
import { type Dockerfile, healthcheckCommand } from './dockerfile.js';
import type { Compose, ComposeService } from './repo.js';

export interface ComposeContext {
  exists: (path: string) => boolean;
  /** Reads a Dockerfile by its path relative to the repository root. */
  dockerfile: (path: string) => Dockerfile;
}

/** The Dockerfile a service builds from, relative to the repository root. */
export function dockerfilePath(service: ComposeService): string | undefined {
  if (!service.build) return undefined;
  const build = typeof service.build === 'string' ? { context: service.build } : service.build;
  const context = build.context ?? '.';
  return posix.normalize(posix.join(context, build.dockerfile ?? 'Dockerfile'));
}

/**
 * The image a service runs: its `image:` when pulled as it is, else the base of the final stage
 * of the Dockerfile it builds from (`image:` then only names the result).
 */
export function runtimeImage(service: ComposeService, ctx: ComposeContext): string | undefined {
  const path = dockerfilePath(service);
  if (!path) return service.image;
  if (!ctx.exists(path)) return undefined;
  return ctx.dockerfile(path).stages.at(-1)?.base;
}

export function buildProblems(compose: Compose, ctx: ComposeContext): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    if (!service.build && !service.image) problems.push(`${name}: neither build nor image`);
    if (!service.build) continue;
    const context = typeof service.build === 'string' ? service.build : service.build.context;
    if (!ctx.exists(context ?? '.')) problems.push(`${name}: build context ${context} is missing`);
    const path = dockerfilePath(service)!;
    if (!ctx.exists(path)) problems.push(`${name}: Dockerfile ${path} is missing`);
  }
  return problems;
}

/** A healthcheck from compose, or else from the image's Dockerfile. */
export function hasHealthcheck(service: ComposeService, ctx: ComposeContext): boolean {
  if (service.healthcheck?.disable) return false;
  const test = service.healthcheck?.test;
  if (test !== undefined) return !(Array.isArray(test) && test[0] === 'NONE');
  const path = dockerfilePath(service);
  if (!path || !ctx.exists(path)) return false;
  const final = ctx.dockerfile(path).stages.at(-1);
  return final !== undefined && healthcheckCommand(final) !== undefined;
}

export function healthProblems(compose: Compose, ctx: ComposeContext): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    if (!hasHealthcheck(service, ctx)) problems.push(`${name}: no healthcheck`);
    const deps = service.depends_on ?? {};
    if (Array.isArray(deps)) {
      problems.push(`${name}: depends_on lists services without condition: service_healthy`);
      continue;
    }
    for (const [dep, { condition } = {}] of Object.entries(deps)) {
      const target = compose.services[dep];
      if (!target) problems.push(`${name}: depends on unknown service ${dep}`);
      else if (condition !== 'service_healthy') {
        problems.push(`${name}: depends on ${dep} without condition: service_healthy`);
      } else if (!hasHealthcheck(target, ctx)) {
        problems.push(`${name}: waits for ${dep} to be healthy, but ${dep} has no healthcheck`);
      }
    }
  }
  return problems;
}

export function resourceProblems(compose: Compose): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const resources = service.deploy?.resources;
    for (const kind of ['limits', 'reservations'] as const) {
      for (const key of ['cpus', 'memory'] as const) {
        if (resources?.[kind]?.[key] === undefined) {
          problems.push(`${name}: no deploy.resources.${kind}.${key}`);
        }
      }
    }
    if (!['always', 'unless-stopped', 'on-failure'].some((p) => service.restart?.startsWith(p))) {
      problems.push(`${name}: no restart policy`);
    }
  }
  return problems;
}

export function networksOf(service: ComposeService): string[] {
  const networks = service.networks;
  if (!networks) return ['default'];
  return Array.isArray(networks) ? networks : Object.keys(networks);
}

/** The stores are reachable only from the services that use them, never from the frontend's network. */
export function networkProblems(compose: Compose, web: string, stores: string[]): string[] {
  const problems: string[] = [];
  const webService = compose.services[web];
  if (!webService) return [`no ${web} service`];
  const webNetworks = new Set(networksOf(webService));
  for (const store of stores) {
    const service = compose.services[store];
    if (!service) {
      problems.push(`no ${store} service`);
      continue;
    }
    const shared = networksOf(service).filter((n) => webNetworks.has(n));
    if (shared.length) problems.push(`${store} shares network ${shared.join(', ')} with ${web}`);
  }
  for (const [name, service] of Object.entries(compose.services)) {
    for (const network of networksOf(service)) {
      if (network !== 'default' && !compose.networks?.[network]) {
        problems.push(`${name}: network ${network} is not declared`);
      }
    }
  }
  return problems;
}

/** The service keeps `target` on a named volume declared at the top level. */
export function volumeProblems(compose: Compose, serviceName: string, target: string): string[] {
  const service = compose.services[serviceName];
  if (!service) return [`no ${serviceName} service`];
  const mounts = (service.volumes ?? []).map((v) =>
    typeof v === 'string'
      ? { source: v.split(':')[0], target: v.split(':')[1] }
      : { source: v.source as string | undefined, target: v.target as string | undefined },
  );
  const mount = mounts.find((m) => m.target === target);
  if (!mount) return [`${serviceName}: ${target} is not on a volume`];
  if (!mount.source || /^[./~]/.test(mount.source) || !compose.volumes?.[mount.source]) {
    return [`${serviceName}: ${target} is not on a named volume declared under volumes:`];
  }
  return [];
}

export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((e) => [e.split('=')[0]!, e.includes('=') ? e.slice(e.indexOf('=') + 1) : '']),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/**
 * Port mappings that publish on every host interface: no host address, or `0.0.0.0`/`::`, with
 * `${VAR:-default}` read as its default (what runs when `.env` does not set it).
 */
export function openPorts(compose: Compose): string[] {
  const open: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    for (const port of service.ports ?? []) {
      let hostIp: string | undefined;
      if (typeof port === 'string') {
        const parts = port.replace(/\$\{[A-Z0-9_]+:?-([^}]*)\}/g, '$1').split(':');
        hostIp = parts.length === 3 ? parts[0] : undefined;
      } else {
        hostIp = port.host_ip as string | undefined;
      }
      if (!hostIp || hostIp === '0.0.0.0' || hostIp === '::') {
        open.push(`${name}: ${typeof port === 'string' ? port : JSON.stringify(port)}`);
      }
    }
  }
  return open;
}
