// What a Dockerfile of this project must get right. Each check returns readable problems
// (empty when all is well), so a failing test says what to fix.
import {
  type Dockerfile,
  type Stage,
  copyParts,
  finalWorkdir,
  healthcheckCommand,
  instructions,
  lastInstruction,
} from './dockerfile.js';
import type { Workspace } from './repo.js';

export interface BuildContext {
  /** Does this path (relative to the build context) exist? */
  exists: (path: string) => boolean;
  /** Would .dockerignore leave it out of the context? */
  ignored: (path: string) => boolean;
  workspaces: Workspace[];
}

const where = (df: Dockerfile, line: number) => `${df.path}:${line}`;

function stageByRef(df: Dockerfile, ref: string, before: number): Stage | undefined {
  return df.stages.slice(0, before).find((s) => s.name === ref || String(s.index) === ref);
}

/** Every COPY source is in the build context (and not dropped by .dockerignore); every
 * `--from` names an earlier stage. */
export function copyProblems(df: Dockerfile, ctx: BuildContext): string[] {
  const problems: string[] = [];
  for (const stage of df.stages) {
    for (const copy of [...instructions(stage, 'COPY'), ...instructions(stage, 'ADD')]) {
      const { sources, dest } = copyParts(copy);
      if (sources.length === 0 || dest === '') {
        problems.push(`${where(df, copy.line)}: ${copy.keyword} needs a source and a destination`);
        continue;
      }
      const from = copy.flags.from;
      if (from !== undefined) {
        const isImage = /[:/]/.test(from);
        if (!isImage && !stageByRef(df, from, stage.index)) {
          problems.push(`${where(df, copy.line)}: --from=${from} is not an earlier stage`);
        }
        continue;
      }
      for (const source of sources) {
        if (/[*?[]/.test(source)) {
          problems.push(`${where(df, copy.line)}: wildcard source ${source} cannot be checked`);
        } else if (!ctx.exists(source)) {
          problems.push(`${where(df, copy.line)}: COPY source ${source} does not exist`);
        } else if (ctx.ignored(source)) {
          problems.push(
            `${where(df, copy.line)}: COPY source ${source} is excluded by .dockerignore`,
          );
        }
      }
    }
  }
  return problems;
}

function runText(stage: Stage): { text: string; line: number }[] {
  return instructions(stage, 'RUN').map((r) => ({ text: r.args.join(' '), line: r.line }));
}

/** `npm run <script>` names a script of the workspace it runs in; `tsc -b <path>` exists. */
export function scriptProblems(df: Dockerfile, ctx: BuildContext): string[] {
  const problems: string[] = [];
  for (const stage of df.stages) {
    for (const { text, line } of runText(stage)) {
      for (const m of text.matchAll(/npm run (\S+)((?:\s+(?:-w|--workspace)[= ]\S+)?)/g)) {
        const script = m[1]!;
        const ws = /(?:-w|--workspace)[= ](\S+)/.exec(m[2] ?? '')?.[1];
        const target = ws ? ctx.workspaces.find((w) => w.name === ws || w.dir === ws) : undefined;
        if (ws && !target) problems.push(`${where(df, line)}: no workspace ${ws}`);
        else if (target && !target.scripts[script]) {
          problems.push(`${where(df, line)}: ${target.dir}/package.json has no "${script}" script`);
        }
      }
      for (const m of text.matchAll(/tsc -b (\S+)/g)) {
        if (!ctx.exists(m[1]!)) problems.push(`${where(df, line)}: ${m[1]} does not exist`);
      }
    }
  }
  return problems;
}

/** Dependencies come from the lockfile (`npm ci`), and the final stage carries no dev tools. */
export function installProblems(df: Dockerfile): string[] {
  const problems: string[] = [];
  for (const stage of df.stages) {
    let lockCopied = false;
    for (const i of stage.instructions) {
      if (
        i.keyword === 'COPY' &&
        !i.flags.from &&
        copyParts(i).sources.includes('package-lock.json')
      ) {
        lockCopied = true;
      }
      if (i.keyword !== 'RUN') continue;
      const text = i.args.join(' ');
      if (/\bnpm (install|i)\b/.test(text)) {
        problems.push(`${where(df, i.line)}: use \`npm ci\` (the lockfile), not \`npm install\``);
      }
      if (/\bnpm ci\b/.test(text) && !lockCopied) {
        problems.push(`${where(df, i.line)}: npm ci runs before package-lock.json is copied`);
      }
      if (stage === df.stages.at(-1) && /\bnpm ci\b/.test(text) && !/--omit=dev/.test(text)) {
        problems.push(`${where(df, i.line)}: the final stage installs dev dependencies`);
      }
    }
  }
  return problems;
}

/** The final stage runs as a user other than root and has a HEALTHCHECK. */
export function runtimeProblems(df: Dockerfile): string[] {
  const problems: string[] = [];
  const final = df.stages.at(-1);
  if (!final) return [`${df.path}: no FROM`];
  const user = lastInstruction(final, 'USER')?.args[0];
  if (!user || /^(root|0)(:|$)/.test(user)) {
    problems.push(`${df.path}: the final stage runs as root (add a USER)`);
  }
  if (!healthcheckCommand(final)) problems.push(`${df.path}: the final stage has no HEALTHCHECK`);
  return problems;
}

/**
 * A Node service image: multi-stage, runs `npm start`'s command in the package's folder, and its
 * final stage holds the compiled code of the package and every workspace it imports (plus the
 * SQL migrations when it depends on the database package).
 */
export function nodeServiceProblems(df: Dockerfile, dir: string, ctx: BuildContext): string[] {
  const problems: string[] = [];
  const pkg = ctx.workspaces.find((w) => w.dir === dir);
  if (!pkg) return [`${df.path}: no workspace ${dir}`];
  if (df.stages.length < 2) problems.push(`${df.path}: not multi-stage`);
  const final = df.stages.at(-1)!;
  const build = df.stages.slice(0, -1);

  const cmd = lastInstruction(final, 'CMD');
  const start = pkg.scripts.start;
  if (!start) problems.push(`${dir}/package.json has no "start" script`);
  else if (!cmd?.execForm || cmd.args.join(' ') !== start) {
    problems.push(`${df.path}: CMD ${cmd?.raw ?? '(none)'} is not \`${start}\` (the start script)`);
  }
  const workdir = finalWorkdir(final);
  if (workdir !== `/app/${dir}`) {
    problems.push(`${df.path}: WORKDIR ${workdir} is not /app/${dir}, where \`npm start\` runs`);
  }
  const env = instructions(final, 'ENV').map((e) => e.args.join(' '));
  if (!env.some((e) => /\bNODE_ENV=production\b/.test(e))) {
    problems.push(`${df.path}: the final stage does not set NODE_ENV=production`);
  }
  const prodInstall = runText(final).find((r) => /\bnpm ci\b/.test(r.text));
  if (!prodInstall || !new RegExp(`--workspace[= ]${pkg.name}\\b`).test(prodInstall.text)) {
    problems.push(`${df.path}: the final stage does not \`npm ci --workspace=${pkg.name}\``);
  }

  if (pkg.scripts.build) {
    const runsBuild = build.some((s) =>
      runText(s).some((r) =>
        new RegExp(`npm run build (-w|--workspace)[= ]${pkg.name}\\b`).test(r.text),
      ),
    );
    if (!runsBuild) {
      problems.push(`${df.path}: the build stage does not run the package's "build" script`);
    }
  }

  const copies = (stages: Stage[], fromStage: boolean) =>
    stages.flatMap((s) =>
      instructions(s, 'COPY')
        .filter((c) => (c.flags.from !== undefined) === fromStage)
        .map((c) => copyParts(c)),
    );
  const finalFromBuild = copies([final], true);
  const finalFromContext = copies([final], false);
  const buildFromContext = copies(build, false);
  const copiesPath = (list: { sources: string[] }[], path: string) =>
    list.some((c) => c.sources.some((s) => s.replace(/\/$/, '') === path.replace(/\/$/, '')));
  for (const ws of ctx.workspaces.filter((w) => isInClosure(ctx.workspaces, dir, w.dir))) {
    for (const path of [`${ws.dir}/src`, `${ws.dir}/tsconfig.json`, `${ws.dir}/package.json`]) {
      if (!copiesPath(buildFromContext, path)) {
        problems.push(`${df.path}: the build stage does not copy ${path}`);
      }
    }
    if (!copiesPath(finalFromContext, `${ws.dir}/package.json`)) {
      problems.push(`${df.path}: the final stage does not copy ${ws.dir}/package.json`);
    }
    if (!copiesPath(finalFromBuild, `/app/${ws.dir}/dist`)) {
      problems.push(`${df.path}: the final stage does not copy /app/${ws.dir}/dist from the build`);
    }
    if (
      ctx.exists(`${ws.dir}/migrations`) &&
      !copiesPath(finalFromContext, `${ws.dir}/migrations`)
    ) {
      problems.push(`${df.path}: the final stage does not copy ${ws.dir}/migrations`);
    }
  }
  return problems;
}

function isInClosure(all: Workspace[], from: string, dir: string): boolean {
  const byName = new Map(all.map((w) => [w.name, w]));
  const stack = [all.find((w) => w.dir === from)];
  const seen = new Set<string>();
  while (stack.length) {
    const w = stack.pop();
    if (!w || seen.has(w.dir)) continue;
    seen.add(w.dir);
    if (w.dir === dir) return true;
    for (const dep of Object.keys(w.dependencies)) stack.push(byName.get(dep));
  }
  return false;
}
