import { probeBroker, runService } from '@retro/common';
import { dbSettings, probeDatabase } from '@retro/database';
import { loadProducerConfig } from './config.js';
import { startProducer } from './index.js';

await runService({
  name: 'message-producer',
  portVariable: 'PRODUCER_PORT',
  loadConfig: () => loadProducerConfig(),
  async prepare(config) {
    await probeDatabase(dbSettings(config));
    await probeBroker(config.RABBITMQ_URL);
  },
  start: (config, logger) => startProducer({ settings: config, logger }),
});
