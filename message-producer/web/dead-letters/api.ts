/** The dead-letter console's part of the producer API (`/api/dead-letters`), typed as the page uses it. */
import { callWithHeaders } from '../api.js';

export type DeadLetterType = 'game' | 'custom' | 'other';

export interface DeadLetterSummary {
  id: number;
  messageId: string | null;
  groupId: string;
  type: DeadLetterType;
  gameId: number | null;
  reason: string | null;
  parkedAt: string;
  retryCount: number;
  bodyBytes: number;
  bodyEncoding: 'utf8' | 'base64';
  bodyPreview?: string | null;
  replayedAt: string | null;
  replayCount: number;
  replayedAs: string | null;
}

export interface DeadLetter extends DeadLetterSummary {
  fingerprint: string | null;
  body: string;
  bodyIsJson: boolean;
  archivedAt: string;
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
}

export interface DeadLetterGroup {
  groupId: string;
  fingerprint: string;
  sampleReason: string | null;
  count: number;
  counts: Record<DeadLetterType, number>;
  firstParkedAt: string;
  lastParkedAt: string;
}

/** The list's filters, as the query string names them. */
export interface DeadLetterFilter {
  group?: string;
  type?: DeadLetterType;
  gameId?: number;
  bodyContains?: string;
  from?: string;
  to?: string;
  replayed?: boolean;
}

export type Target = { ids: number[] } | { group: string } | { filter: DeadLetterFilter };

export interface ReplayJob {
  jobId: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  rate: number;
  total: number;
  replayed: number;
  failed: number;
  skipped: number;
  error: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  action: string;
  clientIp: string;
  actor: string | null;
  affected: number;
  outcome: Record<string, unknown> | null;
}

/** `?a=1&b=2` for the set fields of `filter` (and `extra`), or '' when none is set. */
export function queryOf(filter: DeadLetterFilter, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra })) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

const base = '/api/dead-letters';

export const deadLetters = {
  async list(filter: DeadLetterFilter, limit: number, cursor?: string) {
    const query = queryOf(filter, { limit: String(limit), ...(cursor && { cursor }) });
    const { data, headers } = await callWithHeaders<DeadLetterSummary[]>('GET', base + query);
    return {
      items: data,
      total: Number(headers.get('X-Total-Count') ?? data.length),
      next: headers.get('X-Next-Cursor') ?? undefined,
    };
  },
  async groups() {
    const { data } = await callWithHeaders<DeadLetterGroup[]>('GET', `${base}/groups?limit=100`);
    return data;
  },
  async get(id: number) {
    return (await callWithHeaders<DeadLetter>('GET', `${base}/${id}`)).data;
  },
  async replay(target: Target, rate: number, includeReplayed = false) {
    const body = { ...target, rate, includeReplayed };
    return (await callWithHeaders<ReplayJob>('POST', `${base}/replays`, body)).data;
  },
  async job(jobId: string) {
    const path = `${base}/replays/${encodeURIComponent(jobId)}`;
    return (await callWithHeaders<ReplayJob>('GET', path)).data;
  },
  async cancel(jobId: string) {
    const path = `${base}/replays/${encodeURIComponent(jobId)}/cancel`;
    return (await callWithHeaders<ReplayJob>('POST', path, {})).data;
  },
  async editAndReplay(id: number, body: string) {
    const path = `${base}/${id}/edit-and-replay`;
    return (await callWithHeaders<{ messageId: string }>('POST', path, { body })).data;
  },
  async delete(target: Target) {
    return (await callWithHeaders<{ deleted: number }>('POST', `${base}/delete`, target)).data;
  },
  async audit(limit = 10) {
    return (await callWithHeaders<AuditEntry[]>('GET', `${base}/audit?limit=${limit}`)).data;
  },
  exportUrl: (filter: DeadLetterFilter) => `${base}/export${queryOf(filter)}`,
};
