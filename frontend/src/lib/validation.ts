import { GAME_LIMITS, yearCategoryOf } from '@retro/common/api';
import type { FieldError } from './types.js';

/** The raw form values, as typed. */
export interface GameFormValues {
  title: string;
  platformId: string;
  genreId: string;
  developer: string;
  releaseYear: string;
  description: string;
  imageUrl: string;
}

/** The server's rules (one definition in @retro/common), checked before a round trip. */
export const LIMITS = {
  title: GAME_LIMITS.titleMax,
  developer: GAME_LIMITS.developerMax,
  description: GAME_LIMITS.descriptionMax,
  imageUrl: GAME_LIMITS.imageUrlMax,
  firstYear: GAME_LIMITS.firstYear,
} as const;

export function lastYear(now = new Date()): number {
  return now.getFullYear() + GAME_LIMITS.yearsAhead;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Returns one message per invalid field, in form order; empty when the values can be sent. */
export function validateGame(values: GameFormValues, now = new Date()): FieldError[] {
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  const text = (field: 'title' | 'developer' | 'description', label: string) => {
    const value = values[field].trim();
    if (!value) fail(field, `${label} is required.`);
    else if (value.length > LIMITS[field]) {
      fail(field, `${label} must be at most ${LIMITS[field]} characters.`);
    }
  };

  text('title', 'Title');
  if (!values.platformId) fail('platformId', 'Choose a platform.');
  if (!values.genreId) fail('genreId', 'Choose a genre.');
  text('developer', 'Developer');
  const year = values.releaseYear.trim();
  const max = lastYear(now);
  if (!/^\d{4}$/.test(year) || Number(year) < LIMITS.firstYear || Number(year) > max) {
    fail('releaseYear', `Release year must be a year from ${LIMITS.firstYear} to ${max}.`);
  }
  text('description', 'Description');
  const imageUrl = values.imageUrl.trim();
  if (imageUrl) {
    if (imageUrl.length > LIMITS.imageUrl) {
      fail('imageUrl', `Image URL must be at most ${LIMITS.imageUrl} characters.`);
    } else if (!isHttpUrl(imageUrl)) {
      fail('imageUrl', 'Image URL must start with http:// or https://.');
    }
  }
  return errors;
}

/** The decade buckets the catalog files games under (`yearCategory`), newest last. */
export function decades(now = new Date()): string[] {
  const out: string[] = [];
  for (let year = LIMITS.firstYear; year <= lastYear(now); year += 10)
    out.push(yearCategoryOf(year));
  return out;
}
