// Reading the repository's own files for the container checks.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { type Dockerfile, parseDockerfile } from './dockerfile.js';
import { isIgnored, parseDockerignore } from './dockerignore.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export function exists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

export interface Workspace {
  dir: string;
  name: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
}

export function workspaces(): Workspace[] {
  const root = JSON.parse(readText('package.json')) as { workspaces: string[] };
  return root.workspaces.map((dir) => {
    const pkg = JSON.parse(readText(`${dir}/package.json`)) as Partial<Workspace>;
    return {
      dir,
      name: pkg.name ?? dir,
      scripts: pkg.scripts ?? {},
      dependencies: pkg.dependencies ?? {},
    };
  });
}

export function readDockerfile(path: string): Dockerfile {
  return parseDockerfile(path, readText(path));
}

export function dockerignore() {
  const rules = exists('.dockerignore') ? parseDockerignore(readText('.dockerignore')) : [];
  return (path: string) => isIgnored(rules, path);
}

/** docker-compose.yml as compose reads it (YAML merge keys `<<:` resolved). */
export function loadCompose(text = readText('docker-compose.yml')): Compose {
  return parse(text, { merge: true }) as Compose;
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string[] | string; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  networks?: string[] | Record<string, unknown>;
  ports?: (string | Record<string, unknown>)[];
  volumes?: (string | Record<string, unknown>)[];
  restart?: string;
  read_only?: boolean;
  profiles?: string[];
  hostname?: string;
  deploy?: {
    replicas?: number;
    resources?: {
      limits?: { cpus?: string | number; memory?: string };
      reservations?: { cpus?: string | number; memory?: string };
    };
  };
}

export interface Compose {
  services: Record<string, ComposeService>;
  networks?: Record<string, unknown>;
  volumes?: Record<string, unknown>;
}

/**
 * Variables compose substitutes: `${VAR}`, `${VAR:-default}`, `${VAR:?error}`... and `$VAR`.
 * `$$` is a literal dollar sign. Defaults may hold further substitutions; they count too.
 */
export function composeVariables(text: string): Set<string> {
  const names = new Set<string>();
  const withoutEscapes = text.replace(/\$\$/g, '');
  for (const m of withoutEscapes.matchAll(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)/g,
  )) {
    names.add((m[1] ?? m[2])!);
  }
  return names;
}

export interface EnvEntry {
  key: string;
  value: string;
  comment: string;
  line: number;
}

/** KEY=value lines of a dotenv file, each with the comment lines just above it. */
export function parseEnvFile(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  let comment: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') comment = [];
    else if (line.startsWith('#')) comment.push(line.replace(/^#\s?/, ''));
    else {
      const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
      if (!m) throw new Error(`.env.example:${i + 1}: not KEY=value: ${line}`);
      entries.push({ key: m[1]!, value: m[2]!, comment: comment.join(' '), line: i + 1 });
      comment = [];
    }
  });
  return entries;
}

function filesUnder(dir: string, extension: string): string[] {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, encoding: 'utf8' })
    .map((f) => join(abs, f))
    .filter((f) => f.endsWith(extension) && !f.includes('node_modules') && statSync(f).isFile())
    .map((f) => relative(ROOT, f));
}

/** TypeScript sources of every service (`<workspace>/src`, plus the frontend's Node server). */
export function sourceFiles(): string[] {
  return workspaces().flatMap((w) => [
    ...filesUnder(`${w.dir}/src`, '.ts'),
    ...filesUnder(`${w.dir}/server/src`, '.ts'),
  ]);
}

/**
 * Environment variables `text` reads: `process.env.X`, `env.X`, `env['X']`, and quoted names of
 * the config schema's keys (services list the keys they load, e.g. `loadConfig(['DB_HOST'])`).
 */
export function variablesRead(text: string, schemaKeys: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(
    /\benv\s*(?:\.\s*([A-Z][A-Z0-9_]*)|\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\])/g,
  )) {
    names.add((m[1] ?? m[2])!);
  }
  for (const key of schemaKeys) {
    if (new RegExp(`['"\`]${key}['"\`]`).test(text)) names.add(key);
  }
  return names;
}
