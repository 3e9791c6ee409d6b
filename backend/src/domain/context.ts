import type { Logger, ProcessingTask } from '@retro/common';
import type { CatalogNames } from '../data-access/catalog-names.js';
import type { Pool } from '../data-access/db.js';

/** What the use cases need; built once at start and passed to every route. */
export interface DomainContext {
  pool: Pool;
  /** Platform and genre names, kept in memory. */
  names: CatalogNames;
  logger: Logger;
  /** `TASK_STALLED_AFTER_MS`: how long a task may wait without a change before it counts as stalled. */
  stalledAfterMs: number;
  /** `JOURNEY_ENABLED`: a catalog write records the `written` step of its event's journey. */
  recordJourney: boolean;
  /** Called after a transaction that wrote outbox events has committed. */
  eventsWritten(count: number): void;
  /**
   * Called after a commit with the task states it wrote, in order, so that the live streams of
   * every backend instance can tell their viewers.
   */
  tasksChanged(tasks: ProcessingTask[]): void;
  /**
   * Called after a commit that wrote a task whose new state the use case did not read (a catalog
   * write's pending task): the live streams read such tasks back in batches.
   */
  taskWritten(messageId: string): void;
}
