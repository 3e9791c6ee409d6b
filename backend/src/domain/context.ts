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
  /** Called after a transaction that wrote outbox events has committed. */
  eventsWritten(count: number): void;
  /** Called after a task changed, so live streams can tell their viewers. */
  taskChanged(task: ProcessingTask): void;
  /** Whether any live stream is open; when none is, nobody needs a changed task read back. */
  watchingTasks(): boolean;
}
