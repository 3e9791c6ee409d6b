// The producer API's shapes: what its routes answer and its page reads. Types only (and the lists
// they are made of): nothing Node-specific, the producer page bundles this file as it is.

/** The three ways a tester can describe a message; each has its own endpoint. */
export const MESSAGE_KINDS = ['game-event', 'custom', 'raw'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export type TemplateGroup = 'Game events' | 'Custom messages' | 'Simulated outcomes' | 'Poison';

/** A ready-made request (`GET /api/templates`): `payload` is what the endpoint of `kind` accepts. */
export interface MessageTemplate {
  id: string;
  name: string;
  group: TemplateGroup;
  /** What the consumer is expected to do with it. */
  expect: string;
  kind: MessageKind;
  payload: Record<string, unknown>;
}

/** `POST /api/messages/:kind`. */
export interface PublishResult {
  messageId: string;
  eventId?: string;
  queue: string;
}

export type JobStatus = 'running' | 'completed' | 'failed' | 'cancelled';

/** Progress of one bulk publish (`GET /api/messages/bulk/:jobId`). */
export interface BulkJob {
  jobId: string;
  kind: MessageKind;
  count: number;
  /** Handed to the broker so far. */
  sent: number;
  /** Confirmed by the broker: these, and only these, are in the queue. */
  confirmed: number;
  failed: number;
  status: JobStatus;
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}

/** One queue of `GET /api/queues`. */
export interface QueueStats {
  role: 'main' | 'retry' | 'dlq';
  name: string;
  /** Messages ready for delivery (not those a consumer holds unacknowledged). */
  messageCount: number;
  consumerCount: number;
}

/** `GET /api/info`: what the page needs to know about the service and where the other tools are. */
export interface ProducerInfo {
  service: 'message-producer';
  queues: { main: string; retry: string; dlq: string };
  maxRetries: number;
  frontendPort: number;
  /** The catalog's address as set by CATALOG_PUBLIC_URL; null = this host, port `frontendPort`. */
  catalogUrl: string | null;
  /** RABBITMQ_MANAGEMENT_URL; null = this host, port 15672. */
  rabbitmqManagementUrl: string | null;
}

/** A parked message as `GET /api/dlq` (the first DLQ API) has always shown it. */
export interface ParkedMessage {
  /** The archive's id, for the console's endpoints. */
  id: number;
  messageId: string | null;
  /** The body parsed as JSON, or null when it is not JSON (see `bodyText`). */
  body: unknown;
  bodyIsJson: boolean;
  /** The body as text, cut at 16,384 characters. */
  bodyText: string;
  /** Why it was parked (`x-error`), when (`x-failed-at`) and after how many retries. */
  error: string | null;
  failedAt: string | null;
  retryCount: number;
  headers: Record<string, unknown>;
  contentType: string | null;
  /** Always false: archived messages are no longer in the queue. Kept for older clients. */
  redelivered: boolean;
}

export const DEAD_LETTER_TYPES = ['game', 'custom', 'other'] as const;
export type DeadLetterType = (typeof DEAD_LETTER_TYPES)[number];

/** An archived message as lists show it. */
export interface DeadLetterSummary {
  /** The archive's id of this parking (message ids repeat when a message is parked again). */
  id: number;
  messageId: string | null;
  groupId: string;
  type: DeadLetterType;
  gameId: number | null;
  /** `x-error`. */
  reason: string | null;
  /** `x-failed-at` (else the message's timestamp, else when it was archived). */
  parkedAt: string;
  archivedAt: string;
  retryCount: number;
  bodyBytes: number;
  bodyEncoding: 'utf8' | 'base64';
  bodyIsJson: boolean;
  /** The first 200 characters of a UTF-8 body. */
  bodyPreview?: string | null;
  /** When a copy was last confirmed and routed to the main queue. */
  replayedAt: string | null;
  replayCount: number;
  /** Message id of the last copy: the same id, or the new one of an edited copy. */
  replayedAs: string | null;
  /** Only on a deleted message (`GET /api/dead-letters/deleted`): when, and by whom. */
  deletedAt?: string;
  deletedBy?: string | null;
}

/** An archived message in full. */
export interface DeadLetter extends DeadLetterSummary {
  fingerprint: string | null;
  /** The body's text, or base64 of its bytes when `bodyEncoding` is `base64`. */
  body: string;
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/**
 * A parked message the archive could not store, kept aside with why (`GET
 * /api/dead-letters/quarantine`): read-only, for a tester to see what a bad record held.
 */
export interface QuarantinedMessage {
  id: number;
  messageId: string | null;
  /** Why the archive refused it: the database error's code and message. */
  reason: string;
  /** The database error's code alone, e.g. `ER_DATA_TOO_LONG`. */
  errorCode: string;
  quarantinedAt: string;
  /** The body's text, or base64 of its bytes when `bodyEncoding` is `base64`. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  bodyBytes: number;
  /** Set when only the start of the body was kept (it would not fit in one packet). */
  bodyTruncated: boolean;
  headers: Record<string, unknown>;
  properties: Record<string, unknown>;
}

/** A failure group: alike reasons (same fingerprint) and how many messages it holds. */
export interface DeadLetterGroup {
  groupId: string;
  fingerprint: string;
  sampleReason: string | null;
  count: number;
  counts: Record<DeadLetterType, number>;
  firstParkedAt: string;
  lastParkedAt: string;
}

/** The list's filters as the query string and request bodies name them (times as ISO text). */
export interface DeadLetterQuery {
  group?: string;
  type?: DeadLetterType;
  gameId?: number;
  bodyContains?: string;
  from?: string;
  to?: string;
  replayed?: boolean;
}

/**
 * The rows an action is about: named ones, a failure group, whatever a filter matches, or (delete
 * and restore only, which refuse an empty filter) every one.
 */
export type DeadLetterTargetOf<F> =
  { ids: number[] } | { group: string } | { filter: F } | { all: true };

/** Progress of one replay (`GET /api/dead-letters/replays/:jobId`). */
export interface ReplayJob {
  jobId: string;
  status: JobStatus;
  /** What was asked for: `{ids}`, `{group}` or `{filter}`. */
  target: unknown;
  /** Messages per second. */
  rate: number;
  /** Rows to replay when the job started. */
  total: number;
  /** Confirmed and routed by the broker, and marked replayed. */
  replayed: number;
  failed: number;
  /** Rows taken meanwhile by another job, an edit or a delete; known when the job has ended. */
  skipped: number;
  auditId: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export const AUDIT_ACTIONS = ['replay', 'edit-and-replay', 'delete', 'restore'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One entry of the audit trail (`GET /api/dead-letters/audit`). */
export interface AuditEntry {
  id: number;
  at: string;
  action: AuditAction;
  clientIp: string;
  actor: string | null;
  request: unknown;
  jobId: string | null;
  /** Rows the action replayed, edited, deleted or restored. */
  affected: number;
  outcome: unknown;
  /** The affected rows' archive ids, the first `AUDIT_IDS_SHOWN` of them. */
  deadLetterIds: number[];
}

/**
 * The frontend's `/app-config.json`: where the catalog pages link to the other tools. A null
 * address means "the host this page was opened at" with the given port (or RabbitMQ's 15672).
 */
export interface PageLinks {
  producerUrl: string | null;
  producerPort: number;
  rabbitmqManagementUrl: string | null;
}
