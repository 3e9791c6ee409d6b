// Loaded by mocha before any test file (.mocharc.json `require`), however mocha is started:
// the tests connect with the same `.env` as `npm start` (the account `npm run setup` wrote), and
// services in the test process log JSON even when mocha runs in a terminal (tests read the lines).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dotEnv = fileURLToPath(new URL('../../.env', import.meta.url));
if (existsSync(dotEnv)) process.loadEnvFile(dotEnv);
process.env.LOG_FORMAT ??= 'json';
