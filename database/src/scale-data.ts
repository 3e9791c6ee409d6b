import { yearCategoryOf, type Game } from '@retro/common/api';

// Realistic catalog rows for scale tests: varied titles and developers, every platform, genre,
// decade and status, long descriptions. Deterministic for a given seed, so runs compare.

/** A small fast PRNG (mulberry32): the same seed gives the same catalog. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TITLE_FIRST = [
  'Super',
  'Mega',
  'Dragon',
  'Final',
  'Shadow',
  'Crystal',
  'Star',
  'Metal',
  'Sonic',
  'Street',
  'Ninja',
  'Castle',
  'Space',
  'Turbo',
  'Cyber',
  'Golden',
  'Iron',
  'Mystic',
  'Thunder',
  'Pixel',
  'Retro',
  'Lunar',
  'Solar',
  'Night',
  'Wild',
  'Crimson',
  'Phantom',
  'Atomic',
  'Brave',
  'Silent',
];
const TITLE_SECOND = [
  'Quest',
  'Fighter',
  'Legend',
  'Saga',
  'Racer',
  'Warriors',
  'Kingdom',
  'Tactics',
  'Blaster',
  'Odyssey',
  'Hunter',
  'Knights',
  'Runner',
  'Force',
  'Chronicles',
  'Arena',
  'Frontier',
  'Empire',
  'Pinball',
  'Puzzle',
  'Rally',
  'Strike',
  'Dungeon',
  'Galaxy',
  'Island',
  'Tower',
  'Voyage',
];
const TITLE_SUFFIX = [
  '',
  '',
  '',
  ' II',
  ' III',
  ' IV',
  ' Deluxe',
  ' Turbo',
  ' 64',
  ' Advance',
  ': Reloaded',
  ' & Knuckles',
  " '93",
];
const STUDIO_PARTS = [
  'Kona',
  'Capo',
  'Nami',
  'Taito',
  'Hudo',
  'Irem',
  'Seta',
  'Tecmo',
  'Data',
  'Sun',
  'Rare',
  'Bit',
  'Atlus',
  'Enix',
  'Sofel',
  'Jaleco',
  'Toaplan',
  'Vic',
  'Natsu',
  'Kemco',
  'Culture',
  'Hal',
];
const STUDIO_KIND = ['Soft', 'Games', 'Works', 'Studio', 'Interactive', 'Entertainment', 'Labs'];
const SENTENCES = [
  'Guide the hero through {n} hand-crafted stages full of secrets.',
  'A cult classic that pushed the hardware of its day to the limit.',
  'Features a soundtrack composed on four channels and a password system.',
  'Players collect power-ups, rescue companions and face towering bosses.',
  'Its two-player mode made it a staple of sleepovers across the decade.',
  'The port added new levels, remixed music and a harder final world.',
  'Critics praised the tight controls, the colourful sprites and the humour.',
  'Speedrunners still compete over its famous wrong-warp glitch.',
  'Originally released only in Japan, a fan translation appeared years later.',
  'Every run is different thanks to randomly arranged rooms and items.',
];

export const YEAR_FIRST = 1970;
export const YEAR_LAST = 2005;

/** A game's own fields, as the API takes them (no image: scale tests do not need one). */
export type ScaleGame = Pick<
  Game,
  'title' | 'platformId' | 'genreId' | 'developer' | 'releaseYear' | 'yearCategory' | 'description'
>;

const pick = <T>(rnd: () => number, list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;

export function scaleGame(rnd: () => number, platforms: number, genres: number): ScaleGame {
  const releaseYear = YEAR_FIRST + Math.floor(rnd() * (YEAR_LAST - YEAR_FIRST + 1));
  const sentences = 3 + Math.floor(rnd() * 20);
  const description = Array.from({ length: sentences }, () =>
    pick(rnd, SENTENCES).replace('{n}', String(8 + Math.floor(rnd() * 60))),
  ).join(' ');
  return {
    title: `${pick(rnd, TITLE_FIRST)} ${pick(rnd, TITLE_SECOND)}${pick(rnd, TITLE_SUFFIX)}`,
    platformId: 1 + Math.floor(rnd() * platforms),
    genreId: 1 + Math.floor(rnd() * genres),
    developer: `${pick(rnd, STUDIO_PARTS)}${pick(rnd, STUDIO_PARTS).toLowerCase()} ${pick(rnd, STUDIO_KIND)}`,
    releaseYear,
    yearCategory: yearCategoryOf(releaseYear),
    description,
  };
}
