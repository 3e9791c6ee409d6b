import type { ProcessingTask } from '@retro/common';
import type { ChangePosition } from '../data-access/tasks-repo.js';
import { formatPosition, positionOf } from './position.js';

export const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // nginx and other proxies that honour it pass each frame on at once
  'X-Accel-Buffering': 'no',
};

/** The first bytes of every stream: the browser's reconnect delay and a comment. */
export const OPENING = 'retry: 3000\n: connected\n\n';

export const HEARTBEAT = ': ping\n\n';

/** A task's frame, with its position as the id, and the same frame without an id. */
export function taskFrames(task: ProcessingTask): { withId: string; withoutId: () => string } {
  const data = `data: ${JSON.stringify(task)}\n\n`;
  return {
    withId: `event: task\nid: ${formatPosition(positionOf(task))}\n${data}`,
    withoutId: () => `event: task\n${data}`,
  };
}

/** A frame that only moves the viewer's `Last-Event-ID` (nothing is dispatched to the page). */
export function idFrame(at: Date | ChangePosition): string {
  return `id: ${formatPosition(at instanceof Date ? { at, messageId: '' } : at)}\n\n`;
}

/** Tells the page to re-read its list; its position becomes `now` (kept when unknown). */
export function reloadFrame(now: Date | undefined): string {
  return `event: reload\n${now ? `id: ${formatPosition({ at: now, messageId: '' })}\n` : ''}data: {}\n\n`;
}
