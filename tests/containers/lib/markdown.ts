// Reading the tables of the docs, so a check can hold a document to the files it describes.

/**
 * The rows of the first table under the heading `heading` (any level, up to the next heading of
 * that level or above), each keyed by its column's header. Cells are trimmed, nothing else.
 */
export function tableUnder(markdown: string, heading: string): Record<string, string>[] {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((l) => new RegExp(`^#+\\s+${heading}\\s*$`).test(l));
  if (start === -1) throw new Error(`no heading "${heading}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const table: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    const h = /^(#+)\s/.exec(line);
    if (h && h[1]!.length <= level) break;
    if (line.startsWith('|'))
      table.push(
        line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    else if (table.length) break;
  }
  if (table.length < 2) throw new Error(`no table under "${heading}"`);
  const [header, , ...rows] = table;
  return rows.map((cells) => Object.fromEntries(header!.map((name, i) => [name, cells[i] ?? ''])));
}
