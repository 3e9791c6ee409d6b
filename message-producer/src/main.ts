import { createLogger, loadDotEnv, runUntilSignal } from '@retro/common';
import { loadProducerConfig } from './config.js';
import { startProducer } from './index.js';

loadDotEnv();
const config = loadProducerConfig();
const logger = createLogger('message-producer', config.LOG_LEVEL);
const producer = await startProducer({ logger });
runUntilSignal(logger, () => producer.stop());
