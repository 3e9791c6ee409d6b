import {
  CALLERS,
  decide,
  type AnonymousRole,
  type Caller,
  type Decision,
  type RouteRule,
} from '@retro/common';
import type { TestAccounts } from '@retro/common/testing';

/** A concrete path for a rule's pattern: ids become numbers no row has, `*` a page below. */
export function samplePath(rule: RouteRule): string {
  return rule.path
    .replace(/\/\*$/, '/')
    .replace(/:id\b/g, '999999')
    .replace(/:jobId\b/g, '00000000-0000-4000-8000-000000000000')
    .replace(/:messageId\b/g, '00000000-0000-4000-8000-000000000001');
}

/** How the access check refuses: 401 "Sign in…"/"token…" or 403 FORBIDDEN, told apart by code. */
export async function measure(
  baseUrl: string,
  rule: RouteRule,
  caller: Caller,
  accounts: TestAccounts,
): Promise<{ status: number; decision: Decision }> {
  const headers: Record<string, string> = {};
  if (caller !== 'anonymous') headers.authorization = `Bearer ${accounts[caller].token}`;
  const withBody = rule.method === 'POST' || rule.method === 'PUT';
  if (withBody) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${samplePath(rule)}`, {
    method: rule.method,
    headers,
    // an empty object: enough to reach validation, never a valid change
    body: withBody ? '{}' : undefined,
    signal: AbortSignal.timeout(10_000),
  });
  // an open event stream never ends: only a refusal's body is read
  const streaming = res.headers.get('content-type')?.startsWith('text/event-stream');
  const text = streaming ? '' : await res.text();
  if (streaming) await res.body?.cancel();
  let code: string | undefined;
  let message = '';
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    code = body.error?.code;
    message = body.error?.message ?? '';
  } catch {
    // not JSON: a page, metrics text or a stream
  }
  const refused401 =
    res.status === 401 && code === 'UNAUTHORIZED' && /Sign in to do this|token/.test(message);
  const refused403 = res.status === 403 && code === 'FORBIDDEN' && /role/.test(message);
  return {
    status: res.status,
    decision: refused401 ? 401 : refused403 ? 403 : 'allowed',
  };
}

/** Every (rule, caller) pair with what the route table says it should get. */
export function expectations(rules: readonly RouteRule[], anonymousRole: AnonymousRole) {
  return rules.flatMap((rule) =>
    CALLERS.filter((caller) => anonymousRole === 'viewer' || caller === 'anonymous').map(
      (caller) => ({ rule, caller, expected: decide(rule.access, caller, anonymousRole) }),
    ),
  );
}
