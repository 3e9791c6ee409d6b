// Runs a Dockerfile's stages on this machine, without Docker: every stage gets a temp folder as
// its `/`, COPY copies from the build context (minus .dockerignore) or from an earlier stage,
// RUN runs in the stage's WORKDIR with its ENV. What differs from a real build: this machine's
// node and npm instead of the base image's, and no isolation. Enough to prove that the files the
// image needs are copied and that its commands work on them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { type Dockerfile, copyParts, healthcheckCommand } from './dockerfile.js';

export interface EmulatedImage {
  /** The final stage's `/`. */
  root: string;
  /** WORKDIR of the final stage, inside `root`. */
  workdir: string;
  env: Record<string, string>;
  cmd: string[];
  healthcheck: string[] | undefined;
  cleanup(): void;
}

function parseEnv(args: string[]): Record<string, string> {
  return Object.fromEntries(
    args
      .filter((a) => a.includes('='))
      .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
  );
}

/** Copies like Docker: a folder's contents go into the destination, a file into `dest/` or to `dest`. */
function copy(from: string, to: string, filter: (src: string) => boolean): void {
  if (statSync(from).isDirectory()) {
    mkdirSync(to, { recursive: true });
    cpSync(from, to, { recursive: true, filter });
  } else {
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
  }
}

export function emulateBuild(
  df: Dockerfile,
  context: string,
  ignored: (path: string) => boolean,
): EmulatedImage {
  const roots: string[] = [];
  const names = new Map<string, string>();
  let image: Omit<EmulatedImage, 'cleanup'> | undefined;
  const cleanup = () => roots.forEach((r) => rmSync(r, { recursive: true, force: true }));
  try {
    for (const stage of df.stages) {
      const root = mkdtempSync(join(tmpdir(), `retro-stage-${stage.name ?? stage.index}-`));
      roots.push(root);
      names.set(stage.name ?? String(stage.index), root);
      names.set(String(stage.index), root);
      let cwd = '/';
      const env: Record<string, string> = {};
      const at = (p: string) => join(root, p.startsWith('/') ? p : join(cwd, p));
      for (const i of stage.instructions) {
        if (i.keyword === 'WORKDIR') {
          cwd = i.args[0]!.startsWith('/') ? i.args[0]! : join(cwd, i.args[0]!);
          mkdirSync(at(cwd), { recursive: true });
        } else if (i.keyword === 'ENV') {
          Object.assign(env, parseEnv(i.args));
        } else if (i.keyword === 'COPY') {
          const { sources, dest } = copyParts(i);
          const fromRoot = i.flags.from ? names.get(i.flags.from) : context;
          if (!fromRoot) throw new Error(`${df.path}:${i.line}: unknown stage ${i.flags.from}`);
          for (const source of sources) {
            const src = join(fromRoot, source);
            if (!existsSync(src)) throw new Error(`${df.path}:${i.line}: ${source} does not exist`);
            const target =
              dest.endsWith('/') && !statSync(src).isDirectory()
                ? join(at(dest), basename(src))
                : at(dest);
            const filter = i.flags.from
              ? () => true
              : (p: string) => !ignored(relative(context, p));
            copy(src, target, filter);
          }
        } else if (i.keyword === 'RUN') {
          const command = i.execForm ? i.args.join(' ') : i.raw;
          const result = spawnSync('sh', ['-c', command], {
            cwd: at(cwd),
            env: {
              PATH: process.env.PATH,
              HOME: process.env.HOME,
              ...env,
              npm_config_prefer_offline: 'true',
            },
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
          });
          if (result.status !== 0) {
            throw new Error(
              `${df.path}:${i.line}: RUN ${command} exited ${result.status}\n${result.stdout}\n${result.stderr}`,
            );
          }
        }
      }
      const cmd = stage.instructions.filter((i) => i.keyword === 'CMD').at(-1);
      image = {
        root,
        workdir: at(cwd),
        env,
        cmd: cmd?.args ?? [],
        healthcheck: healthcheckCommand(stage),
      };
    }
  } catch (error) {
    cleanup();
    throw error;
  }
  if (!image) throw new Error(`${df.path}: no stage`);
  return { ...image, cleanup };
}
