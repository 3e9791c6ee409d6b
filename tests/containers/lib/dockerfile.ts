// A small Dockerfile reader: enough of the syntax to check what the images copy, run and start.
// Handles line continuations, comments, `--flag=value` options and the JSON (exec) form.

export interface Instruction {
  keyword: string; // upper case: FROM, COPY, RUN, ...
  flags: Record<string, string>;
  /** Arguments after the flags: the JSON array when written in exec form, else split on spaces. */
  args: string[];
  /** True when the arguments were a JSON array (exec form). */
  execForm: boolean;
  /** The arguments as written, after the flags. */
  raw: string;
  line: number;
}

export interface Stage {
  index: number;
  name: string | undefined;
  base: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  path: string;
  stages: Stage[];
}

const FLAGGED = new Set(['COPY', 'ADD', 'RUN', 'HEALTHCHECK', 'FROM']);

/** Joins continued lines and drops comments, keeping the number of each instruction's first line. */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((physical, i) => {
    const trimmed = physical.trim();
    // Comment lines are skipped, also between continued lines (as Docker does).
    if (trimmed.startsWith('#') || (trimmed === '' && !current)) return;
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed;
    if (current) current.text += ` ${part}`;
    else current = { text: part, line: i + 1 };
    if (!continues) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

function parseInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text);
  const keyword = (match?.[1] ?? '').toUpperCase();
  let rest = (match?.[2] ?? '').trim();
  const flags: Record<string, string> = {};
  if (FLAGGED.has(keyword)) {
    for (;;) {
      const flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
      if (!flag) break;
      flags[flag[1]!] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
  }
  if (rest.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(rest);
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === 'string')) {
        return { keyword, flags, args: parsed, execForm: true, raw: rest, line };
      }
    } catch {
      // not JSON: Docker treats it as the shell form too
    }
  }
  const args = rest === '' ? [] : rest.split(/\s+/);
  return { keyword, flags, args, execForm: false, raw: rest, line };
}

export function parseDockerfile(path: string, text: string): Dockerfile {
  const stages: Stage[] = [];
  for (const { text: lineText, line } of logicalLines(text)) {
    const instruction = parseInstruction(lineText, line);
    if (instruction.keyword === 'FROM') {
      const [base = '', as, name] = instruction.args;
      stages.push({
        index: stages.length,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        base,
        instructions: [],
      });
    } else if (instruction.keyword !== 'ARG' || stages.length > 0) {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${path}:${line}: ${instruction.keyword} before the first FROM`);
      stage.instructions.push(instruction);
    }
  }
  return { path, stages };
}

export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** The last value an instruction set in a stage (WORKDIR, USER, CMD...). */
export function lastInstruction(stage: Stage, keyword: string): Instruction | undefined {
  return instructions(stage, keyword).at(-1);
}

/** Sources and destination of a COPY/ADD: the last argument is the destination. */
export function copyParts(instruction: Instruction): { sources: string[]; dest: string } {
  const args = instruction.args;
  return { sources: args.slice(0, -1), dest: args.at(-1) ?? '' };
}

/** Absolute WORKDIR in effect after the stage's instructions (relative ones resolve). */
export function finalWorkdir(stage: Stage): string {
  let dir = '/';
  for (const i of instructions(stage, 'WORKDIR')) {
    const target = i.args[0] ?? '/';
    dir = target.startsWith('/') ? target : `${dir.replace(/\/$/, '')}/${target}`;
  }
  return dir.replace(/\/+$/, '') || '/';
}

/** HEALTHCHECK's command as argv (shell form becomes `sh -c`), or undefined when there is none. */
export function healthcheckCommand(stage: Stage): string[] | undefined {
  const hc = lastInstruction(stage, 'HEALTHCHECK');
  if (!hc || hc.args[0]?.toUpperCase() !== 'CMD') return undefined;
  const afterCmd = hc.raw.replace(/^CMD\s*/i, '');
  if (afterCmd.startsWith('[')) return JSON.parse(afterCmd) as string[];
  return ['/bin/sh', '-c', afterCmd];
}
