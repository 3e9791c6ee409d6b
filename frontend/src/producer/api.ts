/** The producer's HTTP API as the page uses it; the shapes are the contract's (`@retro/common/api`). */
import type {
  BulkJob,
  MessageKind,
  MessageTemplate,
  ProducerInfo,
  PublishResult,
  QueueStats,
} from '@retro/common/api';
import { apiClient, jsonBody } from '../lib/api-client.js';

export { ApiError } from '../lib/api-client.js';
export type {
  BulkJob,
  MessageKind,
  MessageTemplate as Template,
  QueueStats,
} from '@retro/common/api';

export const client = apiClient('The producer service is not answering (is it running?)');

export const api = {
  /** Only the links: never worth a sign-in form, so a refusal is just an error here. */
  info: () => client.json<ProducerInfo>('/api/info', { signIn: false }),
  templates: () => client.json<{ templates: MessageTemplate[] }>('/api/templates'),
  publish: (kind: MessageKind, request: unknown) =>
    client.json<PublishResult>(`/api/messages/${kind}`, jsonBody('POST', request)),
  bulk: (kind: MessageKind, count: number, payload: unknown) =>
    client.json<BulkJob>('/api/messages/bulk', jsonBody('POST', { kind, count, payload })),
  bulkJob: (jobId: string) =>
    client.json<BulkJob>(`/api/messages/bulk/${encodeURIComponent(jobId)}`),
  queues: () => client.json<{ queues: QueueStats[] }>('/api/queues'),
};
