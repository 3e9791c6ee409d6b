import { ROLES, roleAtLeast, type AnonymousRole, type Role } from '../access-api.js';
import type { Access, RouteRule } from './access.js';

/** A caller as the route tables see it: nobody signed in, or an account of a role. */
export type Caller = 'anonymous' | Role;
export const CALLERS: readonly Caller[] = ['anonymous', ...ROLES];

/** What the access check answers a caller on a route: let through, 401 or 403. */
export type Decision = 'allowed' | 401 | 403;

/**
 * The rule of accessControl (access.ts) as a table: what each caller gets on a route of this
 * access level. docs/security.md is generated from it, and the role × route tests hold the
 * running services to it.
 */
export function decide(access: Access, caller: Caller, anonymousRole: AnonymousRole): Decision {
  if (access === 'open' || access === 'public') return 'allowed';
  if (access === 'internal') return 401;
  if (caller === 'anonymous') {
    if (access === 'metrics') return 401;
    return anonymousRole === 'viewer' && access === 'viewer' ? 'allowed' : 401;
  }
  const needed = access === 'metrics' ? 'operator' : access;
  return roleAtLeast(caller, needed) ? 'allowed' : 403;
}

const ACCESS_WORDS: Record<Access, string> = {
  open: 'anyone, no check',
  public: 'anyone',
  viewer: 'viewer and above',
  editor: 'editor and above',
  tester: 'tester and above',
  operator: 'operator',
  internal: 'internal token only',
  metrics: 'operator, or METRICS_TOKEN',
};

const cell = (decision: Decision) => (decision === 'allowed' ? '✓' : String(decision));

/** The markdown table of one service's routes: who may call each, and what each caller gets. */
export function renderAccessTable(rules: readonly RouteRule[]): string {
  const header = [
    '| method | path | who | what | anonymous (viewer) | anonymous (none) | viewer | editor | tester | operator |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const rows = rules.map((rule) => {
    const cells = [
      cell(decide(rule.access, 'anonymous', 'viewer')),
      cell(decide(rule.access, 'anonymous', 'none')),
      ...ROLES.map((role) => cell(decide(rule.access, role, 'viewer'))),
    ];
    return `| ${rule.method} | \`${rule.path}\` | ${ACCESS_WORDS[rule.access]} | ${rule.summary} | ${cells.join(' | ')} |`;
  });
  return [...header, ...rows].join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in `doc`. */
export function replaceGenerated(doc: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${start} … ${end} section`);
  return `${doc.slice(0, from + start.length)}\n${content}\n${doc.slice(to)}`;
}
