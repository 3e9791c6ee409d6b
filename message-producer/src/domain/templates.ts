import { HEADERS, type MessageTemplate } from '@retro/common';

export type { MessageTemplate, TemplateGroup } from '@retro/common';

const sampleGame = {
  title: 'Chrono Trigger',
  platformId: 2,
  genreId: 3,
  developer: 'Square',
  releaseYear: 1995,
};

/** The template list; `maxRetries` is the consumer's MAX_RETRIES, for the exhausted-retries sample. */
export function messageTemplates(maxRetries: number): MessageTemplate[] {
  return [
    {
      id: 'game-create',
      name: 'Game created',
      group: 'Game events',
      expect: 'completed',
      kind: 'game-event',
      payload: { gameId: 1, action: 'create', gameData: sampleGame },
    },
    {
      id: 'game-update',
      name: 'Game updated',
      group: 'Game events',
      expect: 'completed',
      kind: 'game-event',
      payload: { gameId: 1, action: 'update', gameData: { ...sampleGame, releaseYear: 1996 } },
    },
    {
      id: 'game-delete',
      name: 'Game deleted',
      group: 'Game events',
      expect: 'completed',
      kind: 'game-event',
      payload: { gameId: 1, action: 'delete', gameData: {} },
    },
    {
      id: 'game-process',
      name: 'Process game',
      group: 'Game events',
      expect: 'completed',
      kind: 'game-event',
      payload: { gameId: 1, action: 'process', gameData: {} },
    },
    {
      id: 'custom',
      name: 'Custom message',
      group: 'Custom messages',
      expect: 'completed',
      kind: 'custom',
      payload: { message: 'Hello from the producer page' },
    },
    {
      id: 'simulate-transient',
      name: 'Transient failure, then success',
      group: 'Simulated outcomes',
      expect: 'retried through the retry tiers (game_events.retry.1s, .2s), then completed',
      kind: 'custom',
      payload: { message: 'Fails twice, then succeeds', simulate: 'transient', failAttempts: 2 },
    },
    {
      id: 'simulate-permanent',
      name: 'Permanent failure',
      group: 'Simulated outcomes',
      expect: 'parked in game_events.dlq at once, task failed',
      kind: 'custom',
      payload: { message: 'Can never succeed', simulate: 'permanent' },
    },
    {
      id: 'retries-exhausted',
      name: 'Last retry already spent',
      group: 'Simulated outcomes',
      expect: `parked after this attempt (x-retry-count ${maxRetries} = MAX_RETRIES)`,
      kind: 'custom',
      payload: {
        message: 'Fails every attempt and arrives with its retries used up',
        simulate: 'transient',
        failAttempts: maxRetries + 1,
        headers: { [HEADERS.retryCount]: maxRetries },
      },
    },
    {
      id: 'poison-invalid-json',
      name: 'Invalid JSON',
      group: 'Poison',
      expect: 'parked in game_events.dlq: body is not JSON',
      kind: 'raw',
      payload: { body: '{"gameId": 1, "action": "create", "gameData": {' },
    },
    {
      id: 'poison-missing-game-id',
      name: 'Missing gameId',
      group: 'Poison',
      expect: 'parked in game_events.dlq: no gameId',
      kind: 'raw',
      payload: { body: { action: 'update', gameData: {}, timestamp: '2024-01-01T00:00:00.000Z' } },
    },
    {
      id: 'poison-unknown-action',
      name: 'Unknown action',
      group: 'Poison',
      expect: 'parked in game_events.dlq: unknown action',
      kind: 'raw',
      payload: { body: { gameId: 1, action: 'explode', gameData: {} } },
    },
    {
      id: 'poison-not-an-object',
      name: 'JSON that is not an object',
      group: 'Poison',
      expect: 'parked in game_events.dlq: not an event',
      kind: 'raw',
      payload: { body: [1, 2, 3] },
    },
  ];
}
