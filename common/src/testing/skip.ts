/**
 * Tests that need a program this machine may lack (Chromium, nginx) skip themselves with the
 * reason instead of failing, so a machine without them still runs everything else; `npm test`
 * counts them as skipped and repeats each reason once. Under CI=true nothing may be missing, so
 * the same call fails the suite.
 */
const announced = new Set<string>();

/** Skips the calling suite (from a `before` hook) or test when `problem` is set. */
export function skipWhenMissing(context: { skip(): void }, problem: string | undefined): void {
  if (!problem) return;
  if (process.env.CI === 'true') throw new Error(`${problem} (CI=true: not skipped)`);
  if (!announced.has(problem)) {
    announced.add(problem);
    // test.mjs collects these lines for the end of the run
    // eslint-disable-next-line no-console -- a line for the person running the tests
    console.log(`SKIPPED: ${problem}`);
  }
  context.skip();
}
