import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pages' workspace (frontend/), the same from common's src/ and dist/. */
export const PAGES_DIR = fileURLToPath(new URL('../../../frontend', import.meta.url));
/** The one Vite build of every page: catalog, processing, and the producer's page. */
export const PAGES_DIST_DIR = join(PAGES_DIR, 'dist');
const BUILT = ['index.html', 'processing.html', 'producer/index.html'];
const SOURCES = [...BUILT, 'vite.config.ts', 'src', 'public', 'producer'];

function newest(path: string): number {
  let info;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function oldest(paths: string[]): number {
  return Math.min(...paths.map((p) => statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? 0));
}

/**
 * The browser tests need the built pages. `npm test` builds them first; a single test file run
 * (`npx mocha frontend/test/*.browser.test.ts`) builds them here when missing or older than the code.
 */
export function ensurePagesBuilt(): void {
  const built = oldest(BUILT.map((f) => join(PAGES_DIST_DIR, f)));
  const changed = Math.max(...SOURCES.map((s) => newest(join(PAGES_DIR, s))));
  if (built > changed) return;
  const vite = join(
    dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin/vite.js',
  );
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: PAGES_DIR,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`vite build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}
