import { byId, h } from '../lib/dom.js';
import { ApiError } from './api.js';

/** The result line under the publish button: what the broker confirmed, or why nothing went out. */
export class PublishResult {
  private readonly node = byId('result');

  show(tone: 'ok' | 'bad' | '', ...parts: (Node | string)[]): void {
    this.node.replaceChildren(...parts);
    this.node.className = `result ${tone}`;
  }

  error(message: string, details: { field: string; message: string }[] = []): void {
    const list = details.length
      ? h('ul', {}, ...details.map((d) => h('li', {}, `${d.field}: ${d.message}`)))
      : '';
    this.show('bad', message, list);
  }
}

export function describe(error: unknown): string {
  // a 503 is not always the broker (the backend checks chosen ids): the queue monitor, which asks
  // the broker itself, owns the broker badge
  if (error instanceof ApiError && error.unavailable) {
    return `Nothing was published: ${error.message}. Try again in a moment.`;
  }
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
