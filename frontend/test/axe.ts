// axe-core's WCAG 2.1 A and AA rules run in a page as it is at the moment (open dialogs and all).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeResult {
  violations: { id: string; help: string; nodes: { target: string[] }[] }[];
}
interface AxeGlobal {
  axe?: { run(context: unknown, options: unknown): Promise<AxeResult> };
  document: unknown;
}

/**
 * The violations found, one line each ("color-contrast: … at #sign-in"): an empty list passes.
 * The script goes in through the DevTools protocol, which the pages' CSP does not govern.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const source = await AXE_SOURCE;
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(source);
  return page.evaluate(async (tags) => {
    const scope = globalThis as unknown as AxeGlobal;
    const result = await scope.axe!.run(scope.document, {
      runOnly: { type: 'tag', values: tags },
    });
    return result.violations.map(
      (v) => `${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  }, TAGS);
}
