import { AccessTable, type RouteRule } from '@retro/common';
import { registeredRoutes } from '@retro/common/testing';
import type { Express } from 'express';
import { samplePath } from './matrix.js';

/** Routes the app registers that no row of the table covers, and rows no route answers. */
export function tableGaps(app: Express, rules: readonly RouteRule[]) {
  const table = new AccessTable(rules);
  const registered = registeredRoutes(app).map((route) => {
    const [method, path] = route.split(' ') as [string, string];
    return {
      method,
      path,
      sample: samplePath({ method: 'GET', path, access: 'open', summary: '' }),
    };
  });
  const unlisted = registered
    .filter(({ method, sample }) => !table.match(method, sample))
    .map(({ method, path }) => `${method} ${path}`);
  const unserved = rules
    .filter((rule) => !rule.path.endsWith('/*'))
    .filter((rule) => !registered.some((r) => r.method === rule.method && r.path === rule.path))
    .map((rule) => `${rule.method} ${rule.path}`);
  return { unlisted, unserved };
}
