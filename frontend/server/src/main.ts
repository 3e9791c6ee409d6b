import { loadConfig, runService } from '@retro/common';
import { startFrontendServer } from './index.js';

await runService({
  name: 'frontend',
  portVariable: 'FRONTEND_PORT',
  loadConfig: () => loadConfig(['FRONTEND_PORT', 'BACKEND_URL', 'LOG_LEVEL']),
  start: (config, logger) =>
    startFrontendServer({ port: config.FRONTEND_PORT, backendUrl: config.BACKEND_URL, logger }),
});
