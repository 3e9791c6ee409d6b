import type { Queryable, Row } from './db.js';

/**
 * Platform and genre names by id, so a new game can be answered without reading it back. Both
 * tables change only through migrations; the names are read once, and again when an id is not
 * known yet (a platform added while the backend runs).
 */
export class CatalogNames {
  private platforms = new Map<number, string>();
  private genres = new Map<number, string>();
  private loading: Promise<void> | undefined;

  constructor(private readonly db: Queryable) {}

  async of(platformId: number, genreId: number) {
    if (!this.platforms.has(platformId) || !this.genres.has(genreId)) await this.reload();
    return {
      platformName: this.platforms.get(platformId) ?? '',
      genreName: this.genres.get(genreId) ?? '',
    };
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      const [platforms] = await this.db.query<Row[]>('SELECT id, name FROM platforms');
      const [genres] = await this.db.query<Row[]>('SELECT id, name FROM genres');
      this.platforms = new Map(platforms.map((r) => [r.id as number, r.name as string]));
      this.genres = new Map(genres.map((r) => [r.id as number, r.name as string]));
    })().finally(() => (this.loading = undefined));
    return this.loading;
  }
}
