import { AppError } from '@retro/common';
import { type BackendClient, taskExists } from '../data-access/backend-tasks.js';
import type { OutgoingMessage } from './messages.js';

/** How long a publish waits for the backend's answer before it says the id could not be checked. */
export const ID_CHECK_TIMEOUT_MS = 2_000;

/**
 * Keeps a tester from publishing a message under the id of an existing processing task: the
 * consumer would report its outcome on that task and overwrite what really happened to it. Only
 * ids a tester chose are checked; the producer's own are fresh UUIDs and never ask the backend.
 *
 * The check and the publish are not atomic: a task created in between is not seen. Tasks get
 * fresh UUIDs, so that takes a tester reusing an id on purpose at that very moment.
 */
export class MessageIdCheck {
  constructor(
    private readonly backend: BackendClient,
    private readonly timeoutMs = ID_CHECK_TIMEOUT_MS,
  ) {}

  /** 409 when the message's chosen id belongs to a task; 503 when the backend cannot tell. */
  async assertFree(message: OutgoingMessage): Promise<void> {
    const { messageId, idFrom } = message;
    if (!idFrom) return;
    let inUse: boolean;
    try {
      inUse = await taskExists(this.backend, messageId, this.timeoutMs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw AppError.unavailable(
        `The message id ${messageId} could not be checked against the processing tasks: ${reason}`,
        error,
      );
    }
    if (inUse) {
      throw new AppError(
        'MESSAGE_ID_IN_USE',
        409,
        `Message id ${messageId} already belongs to a processing task; choose another id`,
        [{ field: idFrom, message: `"${messageId}" is the id of an existing processing task` }],
      );
    }
  }
}
