import { createServer, type Server } from 'node:http';
import { type Logger, errorHandler, notFoundHandler } from '@retro/common';
import express from 'express';
import type { Registry } from 'prom-client';

export interface HealthSource {
  brokerConnected(): boolean;
  consuming(): boolean;
  inFlight(): number;
}

/** `/health` (200 only while connected and consuming, else 503) and `/metrics` (Prometheus). */
export function createHttpServer(health: HealthSource, registry: Registry, logger: Logger): Server {
  const app = express();
  app.disable('x-powered-by');

  app.get('/health', (_req, res) => {
    const broker = health.brokerConnected();
    const consuming = broker && health.consuming();
    res.status(consuming ? 200 : 503).json({
      status: consuming ? 'ok' : 'unavailable',
      service: 'message-consumer',
      broker: broker ? 'connected' : 'disconnected',
      consuming,
      inFlight: health.inFlight(),
    });
  });

  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return createServer(app);
}
