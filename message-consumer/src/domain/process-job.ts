import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskStatusUpdate } from '@retro/common';
import type { BackendClient } from '../data-access/backend-client.js';
import { PermanentError, TransientError } from './failures.js';
import type { Job, TaskRef } from './message.js';

export interface ProcessDeps {
  backend: BackendClient;
  /** Simulated work per message. */
  processingDelayMs: number;
}

/** `completed`: this attempt finished the task. `duplicate`: the task was already finished. */
export type ProcessOutcome = 'completed' | 'duplicate';

export function statusUpdate(
  task: TaskRef,
  status: TaskStatusUpdate['status'],
  attempts: number,
  error?: string,
): TaskStatusUpdate {
  return {
    status,
    type: task.type,
    gameId: task.gameId,
    action: task.action,
    attempts,
    ...(error === undefined ? {} : { error: error.slice(0, 2000) }),
  };
}

/**
 * One attempt at a job: report `processing`, do the work, report `completed`. Throws
 * TransientError/PermanentError; the caller decides between retry and parking.
 *
 * A redelivered message whose task is already terminal is not worked on again: the backend keeps
 * completed/failed sticky and says so with `applied: false`.
 */
export async function processJob(
  job: Job,
  attempt: number,
  deps: ProcessDeps,
): Promise<ProcessOutcome> {
  const { task } = job;
  const started = await deps.backend.reportStatus(task.messageId, {
    ...statusUpdate(task, 'processing', attempt),
    ...(job.reopen ? { reopen: true } : {}),
  });
  if (!started.applied && isTerminal(started.task?.status)) return 'duplicate';

  if (deps.processingDelayMs > 0) await sleep(deps.processingDelayMs);
  simulateOutcome(job, attempt);

  const done = await deps.backend.reportStatus(
    task.messageId,
    statusUpdate(task, 'completed', attempt),
  );
  return done.applied ? 'completed' : 'duplicate';
}

function isTerminal(status: string | undefined): boolean {
  return status === 'completed' || status === 'failed';
}

/** Custom messages may ask to fail, so testers can watch retries and parking happen. */
function simulateOutcome({ simulation }: Job, attempt: number): void {
  if (simulation.outcome === 'permanent') {
    throw new PermanentError('simulated permanent failure');
  }
  if (simulation.outcome === 'transient' && attempt <= simulation.failAttempts) {
    throw new TransientError(
      `simulated transient failure (attempt ${attempt} of ${simulation.failAttempts} failing)`,
    );
  }
}
