import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's Chromium, headless, as every browser test drives it. `CHROMIUM_PATH` points elsewhere;
 * no browser is ever downloaded.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
