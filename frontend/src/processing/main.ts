import { api } from '../lib/catalog-api.js';
import { byId, debounce } from '../lib/dom.js';
import { control, wireFilters } from '../lib/filter-form.js';
import { formatAgo } from '../lib/format.js';
import { linkTools } from '../lib/links.js';
import { session } from '../lib/session.js';
import { startAlertBell } from '../lib/alert-bell.js';
import { startSession } from '../lib/session-ui.js';
import { toast } from '../lib/toast.js';
import type { Task } from '../lib/types.js';
import { FlowCharts } from './flow-charts.js';
import { LiveControls } from './live-controls.js';
import { Sidebars } from './sidebars.js';
import { TaskTable } from './task-table.js';

const filters = byId<HTMLFormElement>('task-filters');
const table = new TaskTable(filters, (task, button) => void retry(task, button));
const sidebars = new Sidebars(
  () => table.query().status ?? '',
  (status) => {
    control(filters, 'status').value = status;
    filtersChanged();
  },
  (counts) => live.stalledAfter(counts.stalledAfterMs),
);
const refreshSidebarsSoon = debounce(() => void sidebars.load(), 300);
const live = new LiveControls({
  onTask: (task) => {
    table.apply(task);
    refreshSidebarsSoon();
  },
  onResync: reload,
});

function reload(): void {
  void table.load();
  void sidebars.load();
}

function filtersChanged(): void {
  table.pager.reset();
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

byId('refresh').addEventListener('click', reload);
wireFilters(filters, { typedId: 'task-game', typedDelayMs: 400 }, filtersChanged);

// relative times ("2 minutes ago") drift: refresh their text now and then
setInterval(() => {
  for (const time of byId('task-rows').querySelectorAll('time')) {
    time.textContent = formatAgo(time.dateTime);
  }
}, 30_000);

void linkTools();
startSession(document.querySelector('.site-header'));
startAlertBell(document.querySelector('.site-header'));
// Retry is an editor's: the rows are drawn again whenever someone signs in or out
session.onChange(() => table.redraw());
reload();
live.start();
new FlowCharts(byId('flow-charts')).start();
