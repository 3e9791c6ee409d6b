import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND_DIR = fileURLToPath(new URL('..', import.meta.url));
export const DIST_DIR = join(FRONTEND_DIR, 'dist');
const SOURCES = ['index.html', 'processing.html', 'vite.config.ts', 'src', 'public'];

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
 * (`npx mocha frontend/test/browser.test.ts`) builds them here when missing or older than the code.
 */
export function ensureBuilt(): void {
  const built = oldest(['index.html', 'processing.html'].map((f) => join(DIST_DIR, f)));
  const changed = Math.max(...SOURCES.map((s) => newest(join(FRONTEND_DIR, s))));
  if (built > changed) return;
  const vite = join(
    dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin/vite.js',
  );
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: FRONTEND_DIR,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`vite build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}
