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
