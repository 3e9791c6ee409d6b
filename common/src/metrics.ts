import type { RequestHandler } from 'express';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * A Prometheus registry of the service's own, with Node's process metrics in it. Not the global
 * registry: tests run several services in one process.
 */
export function serviceRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Middleware that records `http_request_duration_seconds` by method, route and status. */
export function httpMetrics(registry: Registry): RequestHandler {
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // one child per series, found by a plain key: labelling each observation hashes its labels
  const series = new Map<string, Histogram.Internal<'method' | 'route' | 'status'>>();
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      // the route pattern, not the path: one series per endpoint, not per game id
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const key = `${req.method} ${route} ${res.statusCode}`;
      let child = series.get(key);
      if (!child) {
        child = duration.labels({ method: req.method, route, status: String(res.statusCode) });
        series.set(key, child);
      }
      child.observe((performance.now() - started) / 1000);
    });
    next();
  };
}
