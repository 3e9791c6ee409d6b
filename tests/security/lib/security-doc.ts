import { readFileSync } from 'node:fs';
import { BACKEND_ROUTES } from '@retro/backend';
import { PRODUCER_ROUTES } from '@retro/message-producer';
import { renderAccessTable, replaceGenerated, type RouteRule } from '@retro/common';
import prettier from 'prettier';

/** The route tables docs/security.md shows, each in its own generated section. */
export const SERVICE_TABLES: { section: string; rules: readonly RouteRule[] }[] = [
  { section: 'backend-routes', rules: BACKEND_ROUTES },
  { section: 'producer-routes', rules: PRODUCER_ROUTES },
];

export const SECURITY_DOC = new URL('../../../docs/security.md', import.meta.url);

/** docs/security.md with every generated table as the route tables say today, formatted. */
export async function generatedSecurityDoc(): Promise<string> {
  let doc = readFileSync(SECURITY_DOC, 'utf8');
  for (const { section, rules } of SERVICE_TABLES) {
    doc = replaceGenerated(doc, section, renderAccessTable(rules));
  }
  const options = await prettier.resolveConfig(SECURITY_DOC);
  return prettier.format(doc, { ...options, parser: 'markdown' });
}
