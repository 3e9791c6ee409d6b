import { api } from '../lib/catalog-api.js';
import { byId } from '../lib/dom.js';
import { control, wireFilters } from '../lib/filter-form.js';
import { linkTools } from '../lib/links.js';
import { LiveTasks } from '../lib/live.js';
import { startAlertBell } from '../lib/alert-bell.js';
import { startSession } from '../lib/session-ui.js';
import { toast } from '../lib/toast.js';
import { decades } from '../lib/validation.js';
import { GameForm } from './game-form.js';
import { GameGrid } from './game-grid.js';
import { GameView } from './game-view.js';
import { restoreFromUrl, saveToUrl } from './url-state.js';

const filters = byId<HTMLFormElement>('filters');
const grid = new GameGrid(filters, (game, opener) => view.open(game, opener));

const live = new LiveTasks({
  onTask: (task) => grid.onTask(task),
  onResync: () => {
    if (grid.anyUnfinished) void grid.load({ quiet: true });
  },
  onMode: (mode) => {
    document.body.dataset.live = mode;
  },
});

const form = new GameForm(({ game, created }) => {
  toast(`${created ? 'Added' : 'Saved'} “${game.title}”. Processing has been queued.`, 'success');
  void grid.load({ quiet: true });
});

const view = new GameView({
  edit: (game, returnTo, leave) => void form.open(game, returnTo, leave),
  deleted: (game) => {
    toast(`Deleted “${game.title}”. Processing of the removal has been queued.`, 'success');
    void grid.load({ quiet: true });
  },
});

function filtersChanged(): void {
  grid.pager.reset();
  saveToUrl(filters, grid.pager);
  void grid.load();
}

/** Fills the platform, genre and decade pickers of the filters and of the form. */
async function loadChoices(): Promise<void> {
  const fill = (select: HTMLSelectElement, items: { id: number; name: string }[]) =>
    select.append(...items.map((i) => new Option(i.name, String(i.id))));
  (control(filters, 'yearCategory') as HTMLSelectElement).append(
    ...decades().map((d) => new Option(d, d)),
  );
  try {
    const [platforms, genres] = await Promise.all([api.platforms(), api.genres()]);
    fill(control(filters, 'platformId') as HTMLSelectElement, platforms);
    fill(control(filters, 'genreId') as HTMLSelectElement, genres);
    form.setOptions(platforms, genres);
  } catch (error) {
    toast(`Could not load platforms and genres: ${(error as Error).message}`, 'error');
  }
}

// The add button shows as soon as the session says the visitor is an editor, which may come
// before the pickers' choices: a click then opens the form once they are there, never nothing.
const choices = loadChoices();
byId('add-game').addEventListener('click', () => void choices.then(() => form.openNew()));

async function start(): Promise<void> {
  await choices;
  restoreFromUrl(filters, grid.pager);
  wireFilters(filters, { typedId: 'search', typedDelayMs: 300 }, filtersChanged);
  await grid.load();
  live.start();
}

void linkTools();
// the add, edit and delete controls show once the session says the visitor is an editor
startSession(document.querySelector('.site-header'));
startAlertBell(document.querySelector('.site-header'));
void start();
