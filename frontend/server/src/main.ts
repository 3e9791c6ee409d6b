import { createLogger, loadConfig, loadDotEnv, runUntilSignal } from '@retro/common';
import { startFrontendServer } from './index.js';

loadDotEnv();
const config = loadConfig(['FRONTEND_PORT', 'BACKEND_URL', 'LOG_LEVEL']);
const logger = createLogger('frontend', config.LOG_LEVEL);
const server = await startFrontendServer({
  port: config.FRONTEND_PORT,
  backendUrl: config.BACKEND_URL,
  logger,
});
runUntilSignal(logger, () => server.stop());
