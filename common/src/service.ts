import { loadDotEnv } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { runUntilSignal } from './process.js';
import { startupErrorLine } from './startup-errors.js';

/** What a service's `main.ts` hands to {@link runService}. */
export interface ServiceDefinition<C extends { LOG_LEVEL: string }> {
  /** The name in its log lines and in its startup error, e.g. `backend`. */
  name: string;
  /** The variable of the port it listens on, named when that port is taken. */
  portVariable: string;
  /** Reads and validates the service's settings from the environment: once per process. */
  loadConfig(): C;
  /**
   * Checks that the dependencies answer before anything starts (throwing a `DependencyError`
   * that names the one that does not), and prepares them (the backend migrates here).
   */
  prepare?(config: C, logger: Logger): Promise<void>;
  /** Starts the service with those settings; the result is stopped on SIGTERM/SIGINT. */
  start(config: C, logger: Logger): Promise<{ stop(): Promise<void> }>;
}

/**
 * The one skeleton of every service process: `.env`, settings, logger, dependency checks, start,
 * signals. Whatever stops it from starting ends the process with exit code 1 and one plain line
 * on stderr naming the service, the problem and the fix (the stack too with LOG_LEVEL=debug).
 */
export async function runService<C extends { LOG_LEVEL: string }>(
  definition: ServiceDefinition<C>,
): Promise<void> {
  try {
    loadDotEnv();
    const config = definition.loadConfig();
    const logger = createLogger(definition.name, config.LOG_LEVEL);
    await definition.prepare?.(config, logger);
    const running = await definition.start(config, logger);
    runUntilSignal(logger, () => running.stop());
  } catch (error) {
    process.stderr.write(
      `${startupErrorLine(error, {
        service: definition.name,
        portVariable: definition.portVariable,
      })}\n`,
    );
    if (process.env.LOG_LEVEL === 'debug' && error instanceof Error) {
      process.stderr.write(`${error.stack ?? ''}\n`);
    }
    process.exit(1);
  }
}
