import { loadConfig, runService, SERVER_LIMIT_CONFIG_KEYS, serverLimits } from '@retro/common';
import { startFrontendServer } from './index.js';

await runService({
  name: 'frontend',
  portVariable: 'FRONTEND_PORT',
  loadConfig: () =>
    loadConfig([
      'FRONTEND_PORT',
      'HOST',
      'BACKEND_URL',
      'PRODUCER_PORT',
      'PRODUCER_PUBLIC_URL',
      'RABBITMQ_MANAGEMENT_URL',
      'LOG_LEVEL',
      ...SERVER_LIMIT_CONFIG_KEYS,
    ]),
  start: (config, logger) =>
    startFrontendServer({
      port: config.FRONTEND_PORT,
      host: config.HOST,
      backendUrl: config.BACKEND_URL,
      links: {
        producerUrl: config.PRODUCER_PUBLIC_URL,
        producerPort: config.PRODUCER_PORT,
        rabbitmqManagementUrl: config.RABBITMQ_MANAGEMENT_URL,
      },
      logger,
      limits: serverLimits(config),
    }),
});
