// The Node.js the project needs (package.json `engines.node`, e.g. ">=20.19"), checked before
// anything else runs, so an old Node fails with one line instead of a syntax error somewhere.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const engines = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  .engines.node;

/** The problem with running `version` under the `>=X.Y` range, or undefined when it is fine. */
export function nodeVersionProblem(version = process.versions.node, range = engines) {
  const wanted = /^>=\s*(\d+)(?:\.(\d+))?/.exec(range);
  if (!wanted) return undefined;
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number);
  const [needMajor, needMinor] = [Number(wanted[1]), Number(wanted[2] ?? 0)];
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return undefined;
  return `Node.js ${version} is too old: this project needs ${range}. Fix: install a current Node.js (https://nodejs.org, or \`nvm install\`, which reads .nvmrc) and run \`npm ci\` again`;
}

/** Stops the process with that one line when this Node is too old. */
export function checkNode(who) {
  const problem = nodeVersionProblem();
  if (problem) {
    console.error(`[${who}] ${problem}`);
    process.exit(1);
  }
}

// `node scripts/lib/node-version.mjs start`: the check on its own, before `npm start` builds
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  checkNode(process.argv[2] ?? 'node');
