/** The dead-letter console's part of the producer API (`/api/dead-letters`), as the page uses it. */
import type {
  AuditEntry,
  DeadLetter,
  DeadLetterGroup,
  DeadLetterQuery,
  DeadLetterSummary,
  DeadLetterTargetOf,
  QuarantinedMessage,
  ReplayJob,
} from '@retro/common/api';
import { jsonBody, withQuery } from '../../lib/api-client.js';
import { client } from '../api.js';

export type {
  AuditEntry,
  DeadLetter,
  DeadLetterGroup,
  DeadLetterQuery as DeadLetterFilter,
  DeadLetterSummary,
  DeadLetterType,
  QuarantinedMessage,
  ReplayJob,
} from '@retro/common/api';
export type Target = DeadLetterTargetOf<DeadLetterQuery>;

const base = '/api/dead-letters';
const post = <T>(path: string, body: unknown) =>
  client.json<T>(base + path, jsonBody('POST', body));

export const deadLetters = {
  async list(filter: DeadLetterQuery, limit: number, cursor?: string) {
    const { data, headers } = await client.withHeaders<DeadLetterSummary[]>(
      withQuery(base, { ...filter, limit, cursor }),
    );
    return {
      items: data,
      total: Number(headers.get('X-Total-Count') ?? data.length),
      next: headers.get('X-Next-Cursor') ?? undefined,
    };
  },
  groups: () => client.json<DeadLetterGroup[]>(`${base}/groups?limit=100`),
  get: (id: number) => client.json<DeadLetter>(`${base}/${id}`),
  replay: (target: Target, rate: number, includeReplayed = false) =>
    post<ReplayJob>('/replays', { ...target, rate, includeReplayed }),
  job: (jobId: string) => client.json<ReplayJob>(`${base}/replays/${encodeURIComponent(jobId)}`),
  cancel: (jobId: string) => post<ReplayJob>(`/replays/${encodeURIComponent(jobId)}/cancel`, {}),
  editAndReplay: (id: number, body: string) =>
    post<{ messageId: string }>(`/${id}/edit-and-replay`, { body }),
  delete: (target: Target) => post<{ deleted: number }>('/delete', target),
  /** Deleted messages are kept a while (DELETED_DEAD_LETTER_RETENTION_MS): an operator may undo. */
  restore: (ids: number[]) => post<{ restored: number }>('/restore', { ids }),
  audit: (limit = 10) => client.json<AuditEntry[]>(`${base}/audit?limit=${limit}`),
  async quarantined(limit: number) {
    const { data, headers } = await client.withHeaders<QuarantinedMessage[]>(
      `${base}/quarantine?limit=${limit}`,
    );
    return { items: data, total: Number(headers.get('X-Total-Count') ?? data.length) };
  },
  exportUrl: (filter: DeadLetterQuery) => withQuery(`${base}/export`, { ...filter }),
};
