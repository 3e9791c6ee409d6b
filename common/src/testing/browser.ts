import { existsSync, readFileSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { skipWhenMissing } from './skip.js';

/** The Chromium every browser test drives: `CHROMIUM_PATH`, or Debian's package. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Why no browser test can run here, or undefined when Chromium is there. */
export function chromiumProblem(path = chromiumPath()): string | undefined {
  if (!existsSync(path)) {
    return `browser tests: no Chromium at ${path}. Fix: \`sudo apt-get install chromium\` (Debian) or set CHROMIUM_PATH`;
  }
  // Ubuntu's /usr/bin/chromium is a script that hands over to the snap, which cannot run here
  const head = readFileSync(path).subarray(0, 4096).toString('latin1');
  if (head.startsWith('#!') && head.includes('snap')) {
    return `browser tests: ${path} is Ubuntu's snap wrapper. Fix: set CHROMIUM_PATH to a Chromium or Chrome binary (docs/troubleshooting.md)`;
  }
  return undefined;
}

/** Skips the calling suite, saying why, when there is no Chromium (fails instead under CI=true). */
export function requireChromium(context: { skip(): void }): void {
  skipWhenMissing(context, chromiumProblem());
}

/**
 * Debian's Chromium, headless, as every browser test drives it. `CHROMIUM_PATH` points elsewhere;
 * no browser is ever downloaded.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
