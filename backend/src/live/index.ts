import type { Logger } from '@retro/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import type { Pool } from '../data-access/db.js';
import { findTasks } from '../data-access/tasks-repo.js';
import type { BackendMetrics } from '../metrics.js';
import { TaskFeed, type FeedSettings } from '../task-feed.js';
import { Audience } from './audience.js';
import { LocalChanges } from './local-changes.js';
import { TaskNotices } from './task-notices.js';

export interface LiveTasksOptions {
  pool: Pool;
  broker: AmqpConnectionManager;
  logger: Logger;
  stalledAfterMs: number;
  /** The fanout exchange the instances tell each other their task changes through. */
  exchange: string;
  settings: FeedSettings;
  metrics: BackendMetrics['stream'];
}

/**
 * The live task stream of one instance, wired: while anyone watches (here or on another
 * instance, see Audience), this instance's commits are gathered into batches (`changes`), sent to
 * its own viewers and, when others watch, published as one notice each; the tasks other
 * instances' notices name are read back and sent to its viewers; after every (re)connect to the
 * broker the feed catches up.
 */
export function createLiveTasks(options: LiveTasksOptions) {
  const { pool, logger, metrics, stalledAfterMs } = options;
  const audience = new Audience({
    announce: () => notices.announceWatching(),
    onElsewhereChanged: (watched) => metrics.watchedElsewhere.set(watched ? 1 : 0),
  });
  const feed = new TaskFeed(pool, logger, stalledAfterMs, options.settings, {
    onCount: (open) => {
      metrics.open.set(open);
      audience.viewersChanged(open);
    },
    onRefused: (cap) => metrics.refused.inc({ cap }),
    onSlowReader: () => metrics.slowReadersDropped.inc(),
    onRowsRead: (kind, rows) => metrics.catchUpRows.inc({ kind }, rows),
    onRepaired: (count) => metrics.repaired.inc(count),
    onReload: (count) => metrics.reloads.inc(count),
  });
  const counters = {
    published: metrics.noticesPublished,
    failed: metrics.noticesFailed,
    received: metrics.noticesReceived,
  };
  const notices = new TaskNotices({
    connection: options.broker,
    exchange: options.exchange,
    logger,
    // a notice only names the tasks that changed: anything that can publish on the broker can
    // send one, so the states viewers see are read from the database, as for this instance's
    // own writes, and a forged notice can at most make a true state be read again
    onNotice: (tasks) => {
      for (const task of tasks) noticed.written(task.messageId);
    },
    onWatching: () => audience.heardFromElsewhere(),
    wanted: () => feed.clientCount > 0,
    onSubscribed: () => {
      feed.catchUpSoon();
      audience.announceIfWatched();
    },
    count: (what) => counters[what].inc(),
  });
  /** Other instances' notices, read back in batches and in the order they came. */
  const noticed = new LocalChanges({
    wanted: () => feed.clientCount > 0,
    readBack: (ids) => findTasks(pool, ids, stalledAfterMs),
    onBatch: (tasks) => feed.deliver(tasks),
    logger,
  });
  const changes = new LocalChanges({
    wanted: () => audience.anyone,
    readBack: (ids) => findTasks(pool, ids, stalledAfterMs),
    onBatch: (tasks) => {
      feed.deliver(tasks);
      if (audience.elsewhere) notices.publish(tasks);
    },
    logger,
  });
  return {
    feed,
    changes,
    /** Publishes what is still gathered and closes the broker channels (after the last request). */
    async close(): Promise<void> {
      audience.close();
      await changes.flushed();
      await notices.close();
      await noticed.flushed();
    },
  };
}
