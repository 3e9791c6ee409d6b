// The catalog's word index: how titles and developers are cut into terms, and how a search is
// cut into the tokens looked up among them. One definition for the writer (backend, seeder,
// migration backfill) and the reader, so both sides always agree. Design: docs/performance.md.

/** Longest stored term; longer words are stored (and looked up) by their first characters. */
export const TERM_MAX = 32;

/** Which field of a game a term came from. */
export const TERM_FIELD = { title: 1, developer: 2 } as const;

export interface SearchTerm {
  term: string;
  field: (typeof TERM_FIELD)[keyof typeof TERM_FIELD];
  /** Position of the word in its field (0 = first), for relevance. */
  pos: number;
}

/** A piece of a search: `prefix` terms match every stored term that starts with them. */
export interface SearchToken {
  term: string;
  prefix: boolean;
}

/** Scripts written without spaces: each character is a word of its own. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** One unspaced character; a run of other letters and digits (joined by ' or -); one symbol. */
const PIECE = new RegExp(
  `${UNSPACED.source}|(?:(?!${UNSPACED.source})[\\p{L}\\p{N}])+(?:['’-](?:(?!${UNSPACED.source})[\\p{L}\\p{N}])+)*|[^\\s\\p{L}\\p{N}]`,
  'gu',
);

/** Lower case, compatibility forms folded, accents dropped: "Pokémon" → "pokemon", "Ｆ" → "f". */
export function normalizeText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

const clip = (term: string) => [...term].slice(0, TERM_MAX).join('');
const isWord = (piece: string) => /[\p{L}\p{N}]/u.test(piece);

/**
 * The words and symbols of a text, in order. A hyphenated or apostrophised word gives its parts
 * and their joined form ("f-zero" → "f", "zero", "fzero"), so "F-Zero", "F Zero" and "fzero" all
 * find it; every symbol ("%", "_", "'", "\\", "&") is a term of its own, so searching for one
 * finds it as plain text.
 */
function pieces(text: string): { words: string[][]; symbols: string[] } {
  const words: string[][] = [];
  const symbols: string[] = [];
  for (const piece of normalizeText(text).match(PIECE) ?? []) {
    if (!isWord(piece)) {
      symbols.push(piece);
      continue;
    }
    const parts = piece.split(/['’-]/);
    for (const mark of piece.match(/['’-]/g) ?? []) symbols.push(mark);
    words.push(parts.length > 1 ? [...parts, parts.join('')] : parts);
  }
  return { words, symbols };
}

/** Every term of a game's title and developer, each (term, field) once, at its first position. */
export function gameTerms(title: string, developer: string): SearchTerm[] {
  const seen = new Map<string, SearchTerm>();
  const add = (term: string, field: SearchTerm['field'], pos: number) => {
    const clipped = clip(term);
    const key = `${field}:${clipped}`;
    if (clipped && !seen.has(key)) seen.set(key, { term: clipped, field, pos: Math.min(pos, 255) });
  };
  for (const [text, field] of [
    [title, TERM_FIELD.title],
    [developer, TERM_FIELD.developer],
  ] as const) {
    const { words, symbols } = pieces(text);
    words.forEach((forms, pos) => forms.forEach((form) => add(form, field, pos)));
    symbols.forEach((symbol) => add(symbol, field, 255));
  }
  return [...seen.values()];
}

/** How many words a title has: shorter titles rank first among equally relevant matches. */
export function titleWords(title: string): number {
  return Math.min(255, pieces(title).words.length);
}

/**
 * The tokens a search looks up; a game matches when it has every one. Words match as prefixes
 * ("zel" finds "Zelda"), except single letters or digits and unspaced characters, which match
 * whole terms (so "x" does not find every title with a word starting with x). A hyphenated word
 * is looked up joined ("r-type" → "rtype"), as titles written with the hyphen hold it; "r type"
 * finds them by their parts. Symbols only count
 * when the search has no words at all: "100%" finds "100", "%" finds titles with a "%".
 */
export function searchTokens(search: string): SearchToken[] {
  const { words, symbols } = pieces(search);
  const tokens = new Map<string, SearchToken>();
  for (const forms of words) {
    const term = clip(forms[forms.length - 1]!);
    const single = [...term].length === 1;
    tokens.set(term, { term, prefix: !single && !UNSPACED.test(term) });
  }
  if (tokens.size === 0) {
    for (const symbol of symbols) tokens.set(symbol, { term: symbol, prefix: false });
  }
  return [...tokens.values()];
}
