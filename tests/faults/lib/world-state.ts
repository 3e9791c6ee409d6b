import { TASK_STATUSES, type QueueNames, type QueueType, type TaskStatus } from '@retro/common';
import { TEST_RABBITMQ_URL } from '@retro/common/testing';

/** One processing task as the database holds it. */
export interface TaskRow {
  messageId: string;
  type: 'game' | 'custom';
  gameId: number | null;
  status: TaskStatus;
  attempts: number;
  lastError: string | null;
}

/** Everything a fault test checks at the end, read in one go. */
export interface WorldState {
  tasks: TaskRow[];
  /** Ready messages per queue; null when the queue does not exist. */
  main: number | null;
  /** In every retry queue together (the tiers, and the old single queue while classic). */
  retry: number | null;
  dlq: number | null;
  /** Outbox rows the relay has not published yet. */
  unpublished: number;
}

/** How a wait for the end of a run ended; see `FaultWorld.settle`. */
export interface Settled {
  outcome: 'settled' | 'stalled' | 'timed out';
  seconds: number;
  state: WorldState;
}

/** A message published straight to the main queue, as the relay or a tester's tool would. */
export interface RawMessage {
  messageId: string;
  /** An object is sent as JSON; a string as it is (poison can be any bytes). */
  body: unknown;
}

/** Where a world's queues live: the machine's broker (default) or, say, a cluster of its own. */
export interface WorldBroker {
  /** RABBITMQ_URL for the services: one node or a comma-separated list. */
  url: string;
  /** The node the test itself talks to (publishes, probes); must stay up while it does. */
  probeUrl: string;
  queueType: QueueType;
  /** Declares the queues up front; by default through `probeUrl`, plainly for the queue type. */
  declare?: (queues: QueueNames) => Promise<void>;
}

export const LOCAL_BROKER: WorldBroker = {
  url: TEST_RABBITMQ_URL,
  probeUrl: TEST_RABBITMQ_URL,
  queueType: 'classic',
};

/** Tasks per status, e.g. `{pending: 0, processing: 0, completed: 198, failed: 2}`. */
export function summarize(tasks: TaskRow[]): Record<TaskStatus, number> {
  const counts = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0])) as Record<TaskStatus, number>;
  for (const task of tasks) counts[task.status] += 1;
  return counts;
}

/** One line for failure messages: tasks by status, what waits in each queue, the outbox. */
export function describeState(state: WorldState): string {
  const counts = Object.entries(summarize(state.tasks)).map(([s, n]) => `${s} ${n}`);
  const depth = (n: number | null) => (n === null ? 'missing' : String(n));
  return (
    `tasks (${state.tasks.length}): ${counts.join(', ')}; parked in the DLQ: ${depth(state.dlq)}; ` +
    `main queue ${depth(state.main)}, retry queue ${depth(state.retry)}; ` +
    `outbox unpublished ${state.unpublished}`
  );
}
