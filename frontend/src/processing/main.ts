import { api, type TaskQuery } from '../lib/catalog-api.js';
import { byId, debounce, h } from '../lib/dom.js';
import { formatAgo, setBadge } from '../lib/format.js';
import { linkTools } from '../lib/links.js';
import { LiveTasks, type LiveMode } from '../lib/live.js';
import { toast } from '../lib/toast.js';
import type { Task, TaskCounts } from '../lib/types.js';
import { VisibleInterval } from '../lib/visible-interval.js';
import { countItems } from './counts.js';
import { taskRow } from './rows.js';
import { GameTitles } from './titles.js';

const PAGE_SIZE = 50;
const AUTO_REFRESH_KEY = 'retro.processing.autoRefresh';
/** The longest the page goes without re-reading, so rows turn stalled on screen. */
const RECHECK_MS = 30_000;

const filters = byId<HTMLFormElement>('task-filters');
const rows = byId<HTMLTableSectionElement>('task-rows');
const summary = byId('task-summary');
const countsList = byId<HTMLUListElement>('counts');
const liveState = byId('live-state');
const autoRefresh = byId<HTMLInputElement>('auto-refresh');
const pageInfo = byId('page-info');
const prev = byId<HTMLButtonElement>('prev-page');
const next = byId<HTMLButtonElement>('next-page');

let page = 0;
let total = 0;
let tasks: Task[] = [];
let loading: AbortController | undefined;

const titles = new GameTitles(rows);

// --- the task table ----------------------------------------------------------------------------

function query(): TaskQuery {
  const value = (name: string) =>
    (filters.elements.namedItem(name) as HTMLInputElement).value.trim() || undefined;
  return {
    status: value('status'),
    type: value('type'),
    gameId: value('gameId'),
    limit: PAGE_SIZE,
    offset: page * PAGE_SIZE,
  };
}

function matches(task: Task, q: TaskQuery): boolean {
  return (
    (!q.status || (q.status === 'stalled' ? task.stalled : task.status === q.status)) &&
    (!q.type || task.type === q.type) &&
    (!q.gameId || String(task.gameId) === q.gameId)
  );
}

const rowActions = { retry, titleOf: (id: number) => titles.titleOf(id) };

/**
 * Replacing rows drops the keyboard focus they held, and the page re-reads on its own now and
 * then: a keyboard user on a row's Retry button gets the focus back on the row's new button.
 */
function keepingFocus(replace: () => void): void {
  const focused = document.activeElement;
  const row = rows.contains(focused) ? focused?.closest('tr')?.dataset.messageId : undefined;
  replace();
  if (row === undefined) return;
  rows.querySelector<HTMLElement>(`tr[data-message-id="${CSS.escape(row)}"] button`)?.focus();
}

function render(): void {
  keepingFocus(() => {
    rows.replaceChildren(...tasks.map((task) => taskRow(task, rowActions)));
    if (!tasks.length) {
      rows.append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'No tasks match.')));
    }
  });
  titles.lookUp(tasks.flatMap((t) => (t.gameId === null ? [] : [t.gameId])));
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  summary.textContent = `${total} ${total === 1 ? 'task' : 'tasks'}`;
  pageInfo.textContent = `Page ${page + 1} of ${pages}`;
  prev.disabled = page === 0;
  next.disabled = page + 1 >= pages;
}

async function loadTasks(): Promise<void> {
  loading?.abort();
  const controller = new AbortController();
  loading = controller;
  try {
    const result = await api.tasks(query(), controller.signal);
    tasks = result.items;
    total = result.total;
    render();
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    summary.textContent = `Could not load tasks: ${(error as Error).message}`;
  }
}

/** Applies one change from the stream in place, so the page never jumps while someone reads it. */
function applyTask(task: Task): void {
  // an update may have renamed the game and a delete removed it: look its title up again
  if (task.gameId !== null && (task.action === 'update' || task.action === 'delete')) {
    titles.forget(task.gameId);
  }
  const q = query();
  const index = tasks.findIndex((t) => t.messageId === task.messageId);
  if (index >= 0) {
    const row = rows.querySelector(`tr[data-message-id="${CSS.escape(task.messageId)}"]`);
    if (matches(task, q)) {
      tasks[index] = task;
      keepingFocus(() => row?.replaceWith(taskRow(task, rowActions)));
    } else {
      tasks.splice(index, 1);
      total = Math.max(0, total - 1);
      render();
    }
  } else if (matches(task, q) && page === 0) {
    tasks.unshift(task);
    tasks.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    tasks = tasks.slice(0, PAGE_SIZE);
    total += 1;
    render();
  }
  if (task.gameId !== null) titles.lookUp([task.gameId]);
  refreshCountsSoon();
}

// --- counts and the games still processing ------------------------------------------------------

function renderCounts(counts: TaskCounts): void {
  const pick = (status: string) => {
    (filters.elements.namedItem('status') as HTMLSelectElement).value = status;
    filtersChanged();
  };
  countsList.replaceChildren(...countItems(counts, query().status ?? '', pick));
  // a task turns stalled by waiting, which no stream frame announces: re-read at least that often
  recheck.every(Math.min(RECHECK_MS, counts.stalledAfterMs || RECHECK_MS));
}

async function loadSidebars(): Promise<void> {
  const [counts, unfinished] = await Promise.allSettled([api.taskCounts(), api.unfinishedGames()]);
  if (counts.status === 'fulfilled') renderCounts(counts.value);
  if (unfinished.status === 'fulfilled') {
    byId('unfinished-count').textContent = String(unfinished.value.length);
    byId('unfinished-list').replaceChildren(
      ...unfinished.value.map((game) => {
        const badge = h('span', {});
        setBadge(badge, game.processingStatus);
        return h('li', {}, badge, ' ', game.title, h('span', { class: 'muted' }, ` #${game.id}`));
      }),
    );
  }
}

const refreshCountsSoon = debounce(() => void loadSidebars(), 300);

function reload(): void {
  void loadTasks();
  void loadSidebars();
}

const recheck = new VisibleInterval(reload, RECHECK_MS);

function filtersChanged(): void {
  page = 0;
  reload();
}

async function retry(task: Task, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    await api.retryTask(task.messageId);
    toast(`Retry queued for ${task.action ?? 'the'} event of game #${task.gameId}.`, 'success');
    reload();
  } catch (error) {
    button.disabled = false;
    toast(`Could not retry: ${(error as Error).message}`, 'error');
  }
}

// --- live updates ------------------------------------------------------------------------------

const MODE_TEXT: Record<LiveMode, string> = {
  live: '● Live',
  reconnecting: '◌ Reconnecting… (polling meanwhile)',
  polling: '◌ Polling every 5 s',
  paused: '❚❚ Paused',
};

const live = new LiveTasks({
  onTask: applyTask,
  onResync: reload,
  onMode: (mode) => {
    liveState.textContent = MODE_TEXT[mode];
    liveState.dataset.mode = mode;
  },
});

function setAutoRefresh(on: boolean): void {
  localStorage.setItem(AUTO_REFRESH_KEY, on ? 'on' : 'off');
  if (on) {
    reload(); // catch up on what happened while paused
    live.start();
    recheck.start();
  } else {
    live.stop();
    recheck.stop();
  }
}

autoRefresh.checked = localStorage.getItem(AUTO_REFRESH_KEY) !== 'off';
autoRefresh.addEventListener('change', () => setAutoRefresh(autoRefresh.checked));
byId('refresh').addEventListener('click', reload);
filters.addEventListener('change', (event) => {
  if ((event.target as HTMLElement).id !== 'task-game') filtersChanged();
});
const gameIdTyped = debounce(filtersChanged, 400);
filters.addEventListener('input', (event) => {
  if ((event.target as HTMLElement).id === 'task-game') gameIdTyped();
});
filters.addEventListener('submit', (event) => {
  event.preventDefault();
  filtersChanged();
});
filters.addEventListener('reset', () => setTimeout(filtersChanged));
prev.addEventListener('click', () => {
  page = Math.max(0, page - 1);
  void loadTasks();
});
next.addEventListener('click', () => {
  page += 1;
  void loadTasks();
});

// relative times ("2 minutes ago") drift: refresh their text now and then
setInterval(() => {
  for (const time of rows.querySelectorAll('time')) {
    time.textContent = formatAgo(time.dateTime);
  }
}, 30_000);

void linkTools();
reload();
if (autoRefresh.checked) {
  live.start();
  recheck.start();
} else {
  liveState.textContent = MODE_TEXT.paused;
}
