// Loaded by mocha before any test file (.mocharc.json `require`), however mocha is started:
// the tests connect with the same `.env` as `npm start` (the account `npm run setup` wrote), and
// services in the test process log JSON even when mocha runs in a terminal (tests read the lines).
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- a plain JavaScript module of the scripts, without type declarations
import { loadEnvFile } from '../../scripts/lib/env-file.mjs';

// without the variables only docker compose reads: RabbitMQ's tools would take them
(loadEnvFile as (path: string) => void)(fileURLToPath(new URL('../../.env', import.meta.url)));
process.env.LOG_FORMAT ??= 'json';
