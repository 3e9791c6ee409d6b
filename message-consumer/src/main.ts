import { createLogger, loadDotEnv, runUntilSignal } from '@retro/common';
import { startConsumer } from './index.js';

loadDotEnv();
const logger = createLogger('message-consumer');

try {
  const consumer = await startConsumer({ logger });
  runUntilSignal(logger, consumer.stop);
} catch (error) {
  logger.error('consumer failed to start', { error });
  process.exit(1);
}
