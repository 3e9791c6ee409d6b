import { probeBroker, runService } from '@retro/common';
import { loadConsumerConfig } from './config.js';
import { startConsumer } from './index.js';

await runService({
  name: 'message-consumer',
  portVariable: 'CONSUMER_PORT',
  loadConfig: () => loadConsumerConfig(),
  prepare: (config) => probeBroker(config.RABBITMQ_URL),
  // The consumer serves only /health, /ready and /metrics, and keeps the rule it had: every
  // interface once INTERNAL_API_TOKEN is a secret, else 127.0.0.1. HOST, when set (in .env or
  // the environment), wins over that rule, as it does for the other services.
  start: (config, logger) =>
    startConsumer({ settings: config, logger, host: process.env.HOST || undefined }),
});
