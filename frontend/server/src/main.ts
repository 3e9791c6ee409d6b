import { createLogger, loadConfig, loadDotEnv, runUntilSignal } from '@retro/common';
import { startFrontendServer } from './index.js';

loadDotEnv();
const config = loadConfig([
  'FRONTEND_PORT',
  'BACKEND_URL',
  'PRODUCER_PORT',
  'PRODUCER_PUBLIC_URL',
  'RABBITMQ_MANAGEMENT_URL',
  'LOG_LEVEL',
]);
const logger = createLogger('frontend', config.LOG_LEVEL);
const server = await startFrontendServer({
  port: config.FRONTEND_PORT,
  backendUrl: config.BACKEND_URL,
  links: {
    producerUrl: config.PRODUCER_PUBLIC_URL,
    producerPort: config.PRODUCER_PORT,
    rabbitmqManagementUrl: config.RABBITMQ_MANAGEMENT_URL,
  },
  logger,
});
runUntilSignal(logger, () => server.stop());
