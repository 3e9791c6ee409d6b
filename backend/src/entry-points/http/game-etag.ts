import { AppError } from '@retro/common';
import type { Request } from 'express';

/**
 * A game's strong entity tag, `"<id>.<version>"`. The version counts the changes of the editable
 * fields (status writes leave it alone); the id in the tag keeps another game's tag from ever
 * matching.
 */
export const gameETag = (id: number, version: number) => `"${id}.${version}"`;

/**
 * What `If-Match` allows a write of game `id` to change: any version (no header, or `*`: the
 * original clients send none), or only these versions. Tags of other games, weak tags (If-Match
 * compares strongly) and strong tags of another shape can never match: they leave the list
 * empty, which the write answers with 412. A value that is not an entity-tag list is a 400.
 */
export function ifMatchVersions(req: Request, id: number): readonly number[] | null {
  const header = req.headers['if-match'];
  if (header === undefined) return null;
  const value = header.trim();
  if (value === '*') return null;
  const tags = entityTags(value);
  if (!tags) {
    throw AppError.validation(
      [{ field: 'If-Match', message: 'must be * or a list of entity tags, e.g. "12.3"' }],
      'Invalid If-Match header',
    );
  }
  const versions: number[] = [];
  for (const tag of tags) {
    const match = /^"(\d{1,10})\.(\d{1,10})"$/.exec(tag);
    if (match && Number(match[1]) === id) versions.push(Number(match[2]));
  }
  return versions;
}

/** RFC 9110 `#entity-tag`: quoted opaque tags, optionally `W/`, separated by commas. */
function entityTags(value: string): string[] | null {
  const tags: string[] = [];
  // one list element (empty elements are allowed) and the comma or end after it
  const element = /[ \t]*((?:W\/)?"[\x21\x23-\x7e\x80-\xff]*")?[ \t]*(,|$)/y;
  for (;;) {
    const start = element.lastIndex;
    const match = element.exec(value);
    if (!match) return null;
    if (match[1]) tags.push(match[1]);
    if (match[2] === '') return tags.length > 0 ? tags : null;
    if (element.lastIndex === start) return null;
  }
}
