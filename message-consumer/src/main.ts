import { probeBroker, runService } from '@retro/common';
import { loadConsumerConfig } from './config.js';
import { startConsumer } from './index.js';

await runService({
  name: 'message-consumer',
  portVariable: 'CONSUMER_PORT',
  loadConfig: () => loadConsumerConfig(),
  prepare: (config) => probeBroker(config.RABBITMQ_URL),
  start: (config, logger) => startConsumer({ settings: config, logger }),
});
