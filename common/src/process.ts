import type { Logger } from './logger.js';

/**
 * Wires SIGTERM/SIGINT to `stop` (once), and logs fatal errors through the same logger.
 * Exits 0 after a clean stop, 1 when stopping failed or took longer than `timeoutMs`.
 */
export function runUntilSignal(
  logger: Logger,
  stop: () => Promise<void>,
  timeoutMs = 20_000,
): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('shutdown timed out', { timeoutMs });
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', { reason }));
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception', { error });
    shutdown('uncaughtException');
  });
}
