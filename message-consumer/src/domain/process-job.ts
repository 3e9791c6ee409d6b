import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskStatusUpdate } from '@retro/common';
import type { BackendClient, StatusReply } from '../data-access/backend-client.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { DownstreamError, PermanentError, TransientError } from './failures.js';
import type { JourneyNotes } from './journey-notes.js';
import type { Job, TaskRef } from './message.js';

export interface ProcessDeps {
  backend: BackendClient;
  /** Simulated work per message. */
  processingDelayMs: number;
  /** The message's journey: its steps ride on its status reports. */
  journey?: JourneyNotes;
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
 * TransientError/PermanentError (the message's failures: the caller decides between retry and
 * parking) or DownstreamError (the backend's: the caller hands the message back).
 *
 * The work starts while the `processing` report is on its way. When it is done before that report
 * has left (no simulated work, or a backend busy with the previous batch), `completed` takes the
 * report's place: one write instead of two, and the task goes from pending to completed. Either
 * way the attempt ends only after the backend has answered for every write it made.
 *
 * A redelivered message whose task is already terminal is not worked on again: the backend keeps
 * completed/failed sticky and says so with `applied: false`. The work in progress is then stopped,
 * as it is when the `processing` report fails.
 */
export async function processJob(
  job: Job,
  attempt: number,
  deps: ProcessDeps,
): Promise<ProcessOutcome> {
  const { task } = job;
  const reopen = job.reopen ? { reopen: true } : {};
  deps.journey?.note(task.messageId, 'delivered', { attempt });
  const started = deps.backend.beginReport(task.messageId, {
    ...statusUpdate(task, 'processing', attempt),
    ...reopen,
  });
  // no point working on once the backend says the task is finished, or cannot take the report
  const stop = new AbortController();
  started.reply.then(
    (reply) => {
      if (isDuplicate(reply)) stop.abort();
    },
    () => stop.abort(),
  );
  const worked = await work(job, attempt, deps.processingDelayMs, stop.signal).then(
    () => null,
    (error: unknown) => ({ error }),
  );
  if (!worked) deps.journey?.note(task.messageId, 'completed', { attempt });
  // completed before the report left: it goes in the report's place, with the replay's reopen
  if (!worked && started.supersede({ ...statusUpdate(task, 'completed', attempt), ...reopen })) {
    return (await started.reply).applied ? 'completed' : 'duplicate';
  }
  if (isDuplicate(await started.reply)) return 'duplicate';
  if (worked) throw worked.error;

  const done = await deps.backend.reportStatus(
    task.messageId,
    statusUpdate(task, 'completed', attempt),
  );
  return done.applied ? 'completed' : 'duplicate';
}

/** The (simulated) work; stops early when `signal` aborts. */
async function work(job: Job, attempt: number, delayMs: number, signal: AbortSignal) {
  if (delayMs > 0) await sleep(delayMs, undefined, { signal });
  simulateOutcome(job, attempt);
}

/** The backend ignored the write because the task had already finished. */
function isDuplicate(reply: StatusReply): boolean {
  return !reply.applied && isTerminal(reply.task?.status);
}

export interface ReportFailedDeps {
  backend: BackendClient;
  breaker: CircuitBreaker;
  /** Aborts the wait (shutdown): the message is then handed back and parked again later. */
  signal: AbortSignal;
}

/**
 * Marks a parked message's task failed, waiting through backend outages (the circuit breaker's
 * probes) until the report lands, so that no parked message leaves its task pending or processing.
 * `refused`: the backend says the report is wrong (a message reusing another task's id); there is
 * nothing to mark then. Rejects only when `signal` aborts.
 */
export async function reportFailed(
  task: TaskRef,
  attempts: number,
  reason: string,
  deps: ReportFailedDeps,
): Promise<'reported' | 'refused'> {
  const update = statusUpdate(task, 'failed', attempts, reason);
  for (;;) {
    deps.signal.throwIfAborted();
    await deps.breaker.whenClosed(deps.signal);
    try {
      await deps.backend.reportStatus(task.messageId, update);
      return 'reported';
    } catch (error) {
      if (!(error instanceof DownstreamError)) return 'refused';
      deps.breaker.open(error);
    }
  }
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
