import { type RequestHandler, Router } from 'express';
import type { Registry } from 'prom-client';

/** A probe's answer: 200 when `ok`, else 503; `body` says what was checked. */
export interface ProbeReport {
  ok: boolean;
  body: Record<string, unknown>;
}

export type Probe = () => ProbeReport | Promise<ProbeReport>;

/** The three endpoints every service answers, the same way everywhere. */
export interface ServiceEndpointOptions {
  /** `/health`, liveness: is this process working (or able to get back to work by itself)? */
  health: Probe;
  /** `/ready`: can it serve now, are its dependencies usable? */
  ready: Probe;
  /** `/metrics`: the service's own Prometheus registry. */
  registry: Registry;
}

/** `/health`, `/ready` and `/metrics`, mounted before anything else so no limit applies to them. */
export function serviceEndpoints(options: ServiceEndpointOptions): Router {
  const router = Router();
  const answer =
    (probe: Probe): RequestHandler =>
    async (_req, res) => {
      const report = await probe();
      res.status(report.ok ? 200 : 503).json(report.body);
    };
  router.get('/health', answer(options.health));
  router.get('/ready', answer(options.ready));
  router.get('/metrics', async (_req, res) => {
    res.type(options.registry.contentType).send(await options.registry.metrics());
  });
  return router;
}
