// Run inside the fresh machine of scripts/check-fresh-machine.sh, beside a running ./run-system:
// waits until every service's /health answers 200, then creates a game through the API (as the
// first operator, with a personal token) and waits until its processing completes. Node's own
// modules only. Prints what it saw; exits 1 with one line naming what failed.
//
//   node scripts/lib/fresh-machine-probe.mjs [timeout-seconds]
import { execFileSync } from 'node:child_process';

const deadline = Date.now() + Number(process.argv[2] ?? 300) * 1000;
const services = {
  backend: 'http://127.0.0.1:3000/health',
  producer: 'http://127.0.0.1:3001/health',
  consumer: 'http://127.0.0.1:3002/health',
  frontend: 'http://127.0.0.1:8080/health',
};
const fail = (line) => {
  console.error(`[probe] FAILED: ${line}`);
  process.exit(1);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function status(url, init) {
  try {
    return (await fetch(url, { ...init, signal: AbortSignal.timeout(5000) })).status;
  } catch {
    return 0;
  }
}

for (const [name, url] of Object.entries(services)) {
  let last;
  while ((last = await status(url)) !== 200) {
    if (Date.now() > deadline) fail(`${name} ${url} answered ${last || 'nothing'}`);
    await sleep(1000);
  }
  console.log(`[probe] ${name} ${url} 200`);
}

const token = execFileSync(process.execPath, ['database/dist/users-cli.js', 'token', 'admin'], {
  encoding: 'utf8',
})
  .trim()
  .split('\n')
  .at(-1);
const api = async (path, init = {}) => {
  const response = await fetch(`http://127.0.0.1:3000${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  if (!response.ok) fail(`${init.method ?? 'GET'} ${path} answered ${response.status}`);
  return response.json();
};
const [platform] = await api('/api/platforms');
const [genre] = await api('/api/genres');
const game = await api('/api/games', {
  method: 'POST',
  body: JSON.stringify({
    title: `Fresh machine ${new Date().toISOString()}`,
    platformId: platform.id,
    genreId: genre.id,
    developer: 'check-fresh-machine',
    releaseYear: 1991,
    yearCategory: '1990s',
    description: 'created by scripts/check-fresh-machine.sh',
    imageUrl: null,
  }),
});
console.log(`[probe] created game ${game.id} (${game.processingStatus})`);
for (;;) {
  const now = await api(`/api/games/${game.id}`);
  if (now.processingStatus === 'completed') break;
  if (now.processingStatus === 'failed') fail(`game ${game.id} processing failed`);
  if (Date.now() > deadline) fail(`game ${game.id} still ${now.processingStatus}`);
  await sleep(500);
}
console.log(`[probe] game ${game.id} completed`);
