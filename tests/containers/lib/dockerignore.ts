// `.dockerignore` matching as the Docker builder does it: patterns relative to the context root,
// `*` and `?` within one path segment, `**` across segments, `!` re-includes; a pattern applies
// to a path when it matches the path or one of its parent folders, and the last one that applies
// wins.

interface Rule {
  regex: RegExp;
  include: boolean;
}

function toRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // `**/` matches zero or more folders; a trailing `**` matches everything below.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

export function parseDockerignore(text: string): Rule[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const pattern = (include ? line.slice(1) : line)
        .trim()
        .replace(/^\/+/, '')
        .replace(/\/+$/, '')
        .replace(/^\.\//, '');
      return { regex: toRegex(pattern), include };
    });
}

/** True when the builder would leave `path` (relative to the context) out of the context. */
export function isIgnored(rules: Rule[], path: string): boolean {
  const clean = path.replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean === '' || clean === '.') return false;
  const parts = clean.split('/');
  const candidates = parts.map((_, n) => parts.slice(0, n + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.regex.test(candidate))) excluded = !rule.include;
  }
  return excluded;
}
