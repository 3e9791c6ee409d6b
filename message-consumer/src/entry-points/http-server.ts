import type { Server } from 'node:http';
import {
  type Logger,
  createLimitedServer,
  DEFAULT_SERVER_LIMITS,
  errorHandler,
  notFoundHandler,
  serviceEndpoints,
} from '@retro/common';
import express from 'express';
import type { Registry } from 'prom-client';
import type { CircuitTrip } from '../domain/circuit-breaker.js';

export interface HealthSource {
  brokerConnected(): boolean;
  consuming(): boolean;
  inFlight(): number;
  /** Why the circuit breaker is open, or undefined while it is closed. */
  circuit(): CircuitTrip | undefined;
}

/** The consumer's state as `/health` and `/ready` report it. */
function describe(health: HealthSource) {
  const broker = health.brokerConnected();
  const trip = health.circuit();
  const consuming = broker && health.consuming();
  // paused by the breaker is a state the consumer gets out of by itself: degraded, not down
  const status = !broker ? 'unavailable' : trip ? 'degraded' : consuming ? 'ok' : 'unavailable';
  return {
    status,
    service: 'message-consumer',
    broker: broker ? 'connected' : 'disconnected',
    consuming,
    inFlight: health.inFlight(),
    circuit: trip ? 'open' : 'closed',
    ...(trip && { reason: trip.reason, cause: trip.cause, since: trip.since.toISOString() }),
  };
}

/**
 * `/health`: liveness; 200 while connected, consuming or paused by the circuit breaker
 * (`degraded`, with the reason), else 503. `/ready`: 200 only while consuming. `/metrics`.
 */
export function createHttpServer(
  health: HealthSource,
  registry: Registry,
  logger: Logger,
  limits = DEFAULT_SERVER_LIMITS,
): Server {
  const app = express();
  app.disable('x-powered-by');

  app.use(
    serviceEndpoints({
      health: () => {
        const state = describe(health);
        return { ok: state.status !== 'unavailable', body: state };
      },
      ready: () => {
        const state = describe(health);
        return { ok: state.status === 'ok', body: state };
      },
      registry,
    }),
  );

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return createLimitedServer(app, limits);
}
