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

/** A task's frame, with its position as the id or (for a viewer being resumed) without. */
export function taskFrame(task: ProcessingTask, withId: boolean): string {
  const id = withId ? `id: ${formatPosition(positionOf(task))}\n` : '';
  return `event: task\n${id}data: ${JSON.stringify(task)}\n\n`;
}

/** A frame that only moves the viewer's `Last-Event-ID` (nothing is dispatched to the page). */
export function idFrame(at: Date | ChangePosition): string {
  return `id: ${formatPosition(at instanceof Date ? { at, messageId: '' } : at)}\n\n`;
}

/** Tells the page to re-read its list; its position becomes `now` (kept when unknown). */
export function reloadFrame(now: Date | undefined): string {
  return `event: reload\n${now ? `id: ${formatPosition({ at: now, messageId: '' })}\n` : ''}data: {}\n\n`;
}
