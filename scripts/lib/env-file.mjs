// Reading and updating `.env` without losing what a person wrote there (comments, order, values).
import { readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';

/** The variables a `.env` file sets (empty when it does not exist). */
export function readEnvFile(path) {
  try {
    return parseEnv(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
}

/**
 * Variables of `.env` that only docker compose reads (the containers' accounts, ports and the
 * cluster's Erlang cookie). RabbitMQ's own tools read `RABBITMQ_*` from the environment, so they
 * are kept out of it: an empty `RABBITMQ_ERLANG_COOKIE` locks `rabbitmqctl` out of the local
 * broker, and `RABBITMQ_DEFAULT_USER` changes the first user of a node the tests start.
 */
export function composeOnly(key) {
  if (key.startsWith('MYSQL_')) return true;
  return key.startsWith('RABBITMQ_') && key !== 'RABBITMQ_URL' && key !== 'RABBITMQ_MANAGEMENT_URL';
}

/**
 * Loads `.env` into `process.env` as `process.loadEnvFile` does (variables already set win),
 * without the compose-only ones (composeOnly).
 */
export function loadEnvFile(path) {
  for (const [key, value] of Object.entries(readEnvFile(path))) {
    if (!composeOnly(key) && process.env[key] === undefined) process.env[key] = value;
  }
}

/** Sets `values` in the file: each existing `KEY=` line is replaced in place, new keys appended. */
export function setEnvValues(path, values) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '';
  }
  for (const [key, value] of Object.entries(values)) {
    const line = `${key}=${value}`;
    const pattern = new RegExp(`^${key}=.*$`, 'm');
    if (pattern.test(text)) text = text.replace(pattern, line);
    else text += `${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;
  }
  writeFileSync(path, text);
}
