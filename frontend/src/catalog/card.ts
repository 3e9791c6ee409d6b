import { h } from '../lib/dom.js';
import { setBadge } from '../lib/format.js';
import type { Game } from '../lib/types.js';

/** A game with no image gets a cartridge-style tile with its initials in a colour of its own. */
export function placeholder(title: string): HTMLElement {
  const initials =
    title
      .split(/\s+/)
      .filter((word) => /\p{L}|\p{N}/u.test(word))
      .slice(0, 2)
      .map((word) => [...word.replace(/[^\p{L}\p{N}]/gu, '')][0] ?? '')
      .join('')
      .toUpperCase() || '?';
  let hash = 0;
  for (const char of title) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  const tile = h(
    'div',
    { class: 'cover placeholder', 'aria-hidden': 'true' },
    h('span', {}, initials),
  );
  tile.style.setProperty('--hue', String(hash % 360));
  return tile;
}

/** The image when the game has a usable one; the placeholder when it has none or it fails to load. */
export function cover(game: Game): HTMLElement {
  if (!game.imageUrl || !/^https?:\/\//i.test(game.imageUrl)) return placeholder(game.title);
  const img = h('img', {
    class: 'cover',
    src: game.imageUrl,
    alt: '',
    loading: 'lazy',
    decoding: 'async',
    referrerpolicy: 'no-referrer',
  });
  img.addEventListener('error', () => img.replaceWith(placeholder(game.title)), { once: true });
  return img;
}

export function gameCard(
  game: Game,
  onOpen: (game: Game, opener: HTMLElement) => void,
): HTMLLIElement {
  const badge = h('span', { class: 'badge' });
  setBadge(badge, game.processingStatus);
  const open = h('button', { type: 'button', class: 'card-open' }, game.title);
  open.addEventListener('click', () => onOpen(game, open));
  return h(
    'li',
    { class: 'card', 'data-game-id': game.id },
    cover(game),
    h(
      'div',
      { class: 'card-body' },
      h('h2', { class: 'card-title' }, open),
      h(
        'p',
        { class: 'card-meta' },
        h('span', { class: 'platform' }, game.platformName),
        h('span', { class: 'genre' }, game.genreName),
        h('span', { class: 'year' }, game.releaseYear),
      ),
      h(
        'p',
        { class: 'card-status' },
        h('span', { class: 'visually-hidden' }, 'Processing: '),
        badge,
      ),
    ),
  );
}
