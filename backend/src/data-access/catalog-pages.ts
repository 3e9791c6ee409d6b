import { AppError, type Game, type TaskStatus } from '@retro/common';
import { searchMatches, searchPage } from './catalog-search.js';
import { gameCount } from './counts-repo.js';
import { whereClause, type Queryable, type Row } from './db.js';
import { SELECT_GAME, toGame } from './games-repo.js';
import { decodeCursor, encodeCursor } from './page-cursor.js';

/**
 * Each sort: the index that holds its order (migration 009), the order, and how a page starts after
 * the key of the previous page's last row.
 */
const ORDERS = {
  title: {
    index: 'idx_games_browse_title',
    by: 'g.title ASC, g.id ASC',
    key: ['string', 'number'],
    after: 'g.title >= ? AND (g.title > ? OR g.id > ?)',
    params: ([title, id]: unknown[]) => [title, title, id],
  },
  '-title': {
    index: 'idx_games_browse_title',
    by: 'g.title DESC, g.id DESC',
    key: ['string', 'number'],
    after: 'g.title <= ? AND (g.title < ? OR g.id < ?)',
    params: ([title, id]: unknown[]) => [title, title, id],
  },
  releaseYear: {
    index: 'idx_games_browse_year',
    by: 'g.release_year ASC, g.title ASC, g.id ASC',
    key: ['number', 'string', 'number'],
    after:
      'g.release_year >= ? AND (g.release_year > ? OR g.title > ? OR (g.title = ? AND g.id > ?))',
    params: ([year, title, id]: unknown[]) => [year, year, title, title, id],
  },
  '-releaseYear': {
    index: 'idx_games_browse_year_desc',
    by: 'g.release_year DESC, g.title ASC, g.id ASC',
    key: ['number', 'string', 'number'],
    after:
      'g.release_year <= ? AND (g.release_year < ? OR g.title > ? OR (g.title = ? AND g.id > ?))',
    params: ([year, title, id]: unknown[]) => [year, year, title, title, id],
  },
  createdAt: {
    index: 'idx_games_browse_id',
    by: 'g.id ASC',
    key: ['number'],
    after: 'g.id > ?',
    params: (k: unknown[]) => k,
  },
  '-createdAt': {
    index: 'idx_games_browse_id',
    by: 'g.id DESC',
    key: ['number'],
    after: 'g.id < ?',
    params: (k: unknown[]) => k,
  },
} as const;

/** The sorts a client may ask for; `relevance` is the order of a search (title without one). */
export const GAME_SORTS = [
  ...(Object.keys(ORDERS) as (keyof typeof ORDERS)[]),
  'relevance',
] as const;
export type GameSort = (typeof GAME_SORTS)[number];

const sortKey = (sort: keyof typeof ORDERS, game: Game): unknown[] =>
  sort === 'title' || sort === '-title'
    ? [game.title, game.id]
    : sort === 'releaseYear' || sort === '-releaseYear'
      ? [game.releaseYear, game.title, game.id]
      : [game.id];

export interface GameFilter {
  search?: string | undefined;
  platformId?: number | undefined;
  genreId?: number | undefined;
  yearCategory?: string | undefined;
  status?: TaskStatus | undefined;
  sort?: GameSort | undefined;
  limit: number;
  offset: number;
  /** A cursor from a previous page's `nextCursor`: the page after it (keyset pagination). */
  after?: string | undefined;
}

/**
 * A page of the catalog and how many games match in all (exact: from the counters, or the
 * search's matches). Without a search, each page is a seek into an index in the page's order;
 * its ids are picked there and only its rows are read. `nextCursor` names the page after this
 * one when this one is full.
 */
export async function listGames(
  db: Queryable,
  filter: GameFilter,
): Promise<{ games: Game[]; total: number; nextCursor: string | null }> {
  const conditions: [string, ...unknown[]][] = [
    ['g.platform_id = ?', filter.platformId],
    ['g.genre_id = ?', filter.genreId],
    ['g.year_category = ?', filter.yearCategory],
    ['g.processing_status = ?', filter.status],
  ];
  const filters = whereClause(conditions);
  const sort = filter.sort ?? (filter.search ? 'relevance' : 'title');
  if (filter.search !== undefined && filter.search.trim() !== '') {
    return searchGames(db, filter.search, filters, sort, filter);
  }
  const order = sort === 'relevance' ? 'title' : sort;
  const spec = ORDERS[order];
  const key = filter.after ? decodeCursor(filter.after, order, [...spec.key]) : undefined;
  // a decade is a range of years (the category is derived from the year): sorted by year, the
  // walk starts at the decade instead of checking every game of the years before it
  const decade = filter.yearCategory ? Number(filter.yearCategory.slice(0, 4)) : undefined;
  const where = whereClause([
    ...conditions,
    ['g.release_year BETWEEN ? AND ?', decade, decade === undefined ? undefined : decade + 9],
    ...(key ? [[spec.after, ...spec.params(key)] as [string, ...unknown[]]] : []),
  ]);
  const [ids] = await db.query<Row[]>(
    // the index is named: on a selective filter the optimizer would rather read the filter's
    // rows and sort them, which costs a row read per match where the walk reads index entries
    `SELECT g.id FROM games g FORCE INDEX (${spec.index}) ${where.sql}
     ORDER BY ${spec.by} LIMIT ? OFFSET ?`,
    [...where.params, filter.limit, filter.offset],
  );
  const games = await gamesByIds(
    db,
    ids.map((r) => Number(r.id)),
    spec.by,
  );
  const last = games[games.length - 1];
  return {
    games,
    total: await gameCount(db, filters),
    nextCursor:
      last && games.length === filter.limit ? encodeCursor(order, sortKey(order, last)) : null,
  };
}

async function searchGames(
  db: Queryable,
  search: string,
  filters: { sql: string; params: unknown[] },
  sort: GameSort,
  page: GameFilter,
) {
  if (page.after) {
    throw AppError.validation([{ field: 'after', message: 'cannot be used with search' }]);
  }
  const matches = searchMatches(search, filters);
  if (!matches) return { games: [], total: 0, nextCursor: null };
  if (sort === 'relevance') {
    const { ids, total } = await searchPage(db, matches, page.limit, page.offset);
    const games = await gamesByIds(db, ids, null);
    return { games, total, nextCursor: null };
  }
  const order = ORDERS[sort].by;
  const [rows] = await db.query<Row[]>(
    `SELECT g.id, matched.total FROM (${matches.sql}) matched JOIN games g ON g.id = matched.game_id
     ORDER BY ${order} LIMIT ? OFFSET ?`,
    [...matches.params, page.limit, page.offset],
  );
  const games = await gamesByIds(
    db,
    rows.map((r) => Number(r.id)),
    order,
  );
  const total = rows[0] ? Number(rows[0].total) : (await searchPage(db, matches, 1, 0)).total;
  return { games, total, nextCursor: null };
}

/** The games with these ids, in `order`, or in the order of `ids` when it is null. */
async function gamesByIds(db: Queryable, ids: number[], order: string | null): Promise<Game[]> {
  if (ids.length === 0) return [];
  const [rows] = await db.query<Row[]>(
    `${SELECT_GAME} WHERE g.id IN (?)${order ? ` ORDER BY ${order}` : ''}`,
    [ids],
  );
  const games = rows.map(toGame);
  if (order) return games;
  const byId = new Map(games.map((g) => [g.id, g]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
