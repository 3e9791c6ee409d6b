import { api } from '../lib/catalog-api.js';
import { formatDateTime } from '../lib/format.js';

/**
 * Who changed a game last and when, from its history ("test-editor on 7 Dec 2025, 10:42:05"),
 * for a save or a delete that found the game changed since it was opened.
 */
export async function lastChangeText(gameId: number): Promise<string> {
  try {
    const entry = await api.lastChange(gameId);
    if (entry) return `${entry.actor ?? 'someone'} on ${formatDateTime(entry.at)}`;
  } catch {
    // the history is only the detail: the conflict is still shown
  }
  return 'someone else';
}
