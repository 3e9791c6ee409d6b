import { ApiError, api, type GameQuery } from '../lib/catalog-api.js';
import { byId, debounce, h } from '../lib/dom.js';
import { linkTools } from '../lib/links.js';
import { LiveTasks } from '../lib/live.js';
import { toast } from '../lib/toast.js';
import type { Game, Task } from '../lib/types.js';
import { decades } from '../lib/validation.js';
import { gameCard } from './card.js';
import { GameForm } from './game-form.js';
import { GameView } from './game-view.js';

const PAGE_SIZE = 12;
const FILTERS = ['search', 'platformId', 'genreId', 'yearCategory', 'status', 'sort'] as const;

const filters = byId<HTMLFormElement>('filters');
const grid = byId<HTMLUListElement>('game-grid');
const summary = byId('result-summary');
const pageInfo = byId('page-info');
const prev = byId<HTMLButtonElement>('prev-page');
const next = byId<HTMLButtonElement>('next-page');

let page = 0;
let total = 0;
let games = new Map<number, Game>();
let loading: AbortController | undefined;

function field(name: string): HTMLInputElement | HTMLSelectElement {
  return filters.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement;
}

function query(): GameQuery {
  const q: GameQuery = { limit: PAGE_SIZE, offset: page * PAGE_SIZE };
  for (const name of FILTERS) q[name] = field(name).value.trim() || undefined;
  return q;
}

/** The address bar keeps the filters and page, so a reload or a shared link shows the same view. */
function saveToUrl(): void {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = field(name).value.trim();
    if (value && !(name === 'sort' && value === 'title')) params.set(name, value);
  }
  if (page > 0) params.set('page', String(page + 1));
  const search = params.toString();
  history.replaceState(null, '', search ? `?${search}` : location.pathname);
}

function restoreFromUrl(): void {
  const params = new URLSearchParams(location.search);
  for (const name of FILTERS) {
    const value = params.get(name);
    const control = field(name);
    if (value === null) continue;
    // a select only takes values it offers; anything else stays at "All"
    if (
      control instanceof HTMLSelectElement &&
      ![...control.options].some((o) => o.value === value)
    ) {
      continue;
    }
    control.value = value;
  }
  page = Math.max(0, Number(params.get('page') ?? 1) - 1) || 0;
}

function render(list: Game[]): void {
  games = new Map(list.map((g) => [g.id, g]));
  grid.replaceChildren(...list.map((game) => gameCard(game, (g, opener) => view.open(g, opener))));
  if (!list.length) {
    grid.append(h('li', { class: 'empty' }, total ? 'No games on this page.' : 'No games match.'));
  }
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = total ? page * PAGE_SIZE + 1 : 0;
  summary.textContent = `${total} ${total === 1 ? 'game' : 'games'}${total ? `, showing ${first}–${page * PAGE_SIZE + list.length}` : ''}`;
  pageInfo.textContent = `Page ${page + 1} of ${pages}`;
  prev.disabled = page === 0;
  next.disabled = page + 1 >= pages;
}

/** Loads the current page; a newer load cancels an older one so answers never arrive out of order. */
async function load({ quiet = false } = {}): Promise<void> {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  if (!quiet) grid.setAttribute('aria-busy', 'true');
  try {
    const result = await api.games(query(), controller.signal);
    total = result.total;
    if (!result.items.length && page > 0 && total > 0) {
      page = Math.max(0, Math.ceil(total / PAGE_SIZE) - 1); // the last page emptied: step back
      saveToUrl();
      return load({ quiet });
    }
    render(result.items);
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    if (error instanceof ApiError && error.details.length) {
      summary.textContent = error.details.map((d) => `${d.field}: ${d.message}`).join('; ');
    } else {
      toast(`Could not load games: ${(error as Error).message}`, 'error');
    }
  } finally {
    if (loading === controller) grid.removeAttribute('aria-busy');
  }
}

function filtersChanged(): void {
  page = 0;
  saveToUrl();
  void load();
}

// --- live badges: a task change for a game on screen refetches that game -----------------------

const refetchQueue = new Set<number>();
const refetchSoon = debounce(() => {
  const ids = [...refetchQueue];
  refetchQueue.clear();
  for (const id of ids) void refetch(id);
}, 150);

/** The game (not the task) says which status counts: a late answer for an older event never wins. */
async function refetch(id: number): Promise<void> {
  const card = grid.querySelector(`[data-game-id="${id}"]`);
  if (!card) return;
  try {
    const game = await api.game(id);
    games.set(id, game);
    grid
      .querySelector(`[data-game-id="${id}"]`)
      ?.replaceWith(gameCard(game, (g, opener) => view.open(g, opener)));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) void load({ quiet: true });
  }
}

function onTask(task: Task): void {
  if (task.gameId !== null && games.has(task.gameId)) {
    refetchQueue.add(task.gameId);
    refetchSoon();
  }
}

const live = new LiveTasks({
  onTask,
  onResync: () => {
    if (
      [...games.values()].some(
        (g) => g.processingStatus === 'pending' || g.processingStatus === 'processing',
      )
    ) {
      void load({ quiet: true });
    }
  },
  onMode: (mode) => {
    document.body.dataset.live = mode;
  },
});

// --- dialogs -----------------------------------------------------------------------------------

const form = new GameForm(({ game, created }) => {
  toast(`${created ? 'Added' : 'Saved'} “${game.title}”. Processing has been queued.`, 'success');
  void load({ quiet: true });
});

const view = new GameView({
  edit: (game, returnTo) => form.open(game, returnTo),
  deleted: (game) => {
    toast(`Deleted “${game.title}”. Processing of the removal has been queued.`, 'success');
    void load({ quiet: true });
  },
});

async function start(): Promise<void> {
  const decadeSelect = field('yearCategory') as HTMLSelectElement;
  decadeSelect.append(...decades().map((d) => new Option(d, d)));
  try {
    const [platforms, genres] = await Promise.all([api.platforms(), api.genres()]);
    const fill = (select: HTMLSelectElement, items: { id: number; name: string }[]) =>
      select.append(...items.map((i) => new Option(i.name, String(i.id))));
    fill(field('platformId') as HTMLSelectElement, platforms);
    fill(field('genreId') as HTMLSelectElement, genres);
    form.setOptions(platforms, genres);
  } catch (error) {
    toast(`Could not load platforms and genres: ${(error as Error).message}`, 'error');
  }
  restoreFromUrl();

  const searchChanged = debounce(filtersChanged, 300);
  filters.addEventListener('input', (event) => {
    if ((event.target as HTMLElement).id === 'search') searchChanged();
  });
  filters.addEventListener('change', (event) => {
    if ((event.target as HTMLElement).id !== 'search') filtersChanged();
  });
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    filtersChanged();
  });
  // "reset" fires before the controls change back
  filters.addEventListener('reset', () => setTimeout(filtersChanged));
  prev.addEventListener('click', () => {
    page = Math.max(0, page - 1);
    saveToUrl();
    void load();
  });
  next.addEventListener('click', () => {
    page += 1;
    saveToUrl();
    void load();
  });
  byId('add-game').addEventListener('click', () => form.open());

  await load();
  live.start();
}

void linkTools();
void start();
