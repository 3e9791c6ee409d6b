import { api, type TaskQuery } from '../lib/catalog-api.js';
import { byId, h } from '../lib/dom.js';
import { valueOf } from '../lib/filter-form.js';
import { Pager } from '../lib/pager.js';
import type { Task } from '../lib/types.js';
import { showJourney } from './journey.js';
import { taskRow, type RowActions } from './rows.js';
import { GameTitles } from './titles.js';

const PAGE_SIZE = 50;

function matches(task: Task, q: TaskQuery): boolean {
  return (
    (!q.status || (q.status === 'stalled' ? task.stalled : task.status === q.status)) &&
    (!q.type || task.type === q.type) &&
    (!q.gameId || String(task.gameId) === q.gameId)
  );
}

/**
 * The task table: one page of tasks for the filters, newest first, kept current by the stream's
 * changes in place and re-read on demand.
 */
export class TaskTable {
  private readonly rows = byId<HTMLTableSectionElement>('task-rows');
  private readonly summary = byId('task-summary');
  private readonly titles = new GameTitles(this.rows);
  readonly pager = new Pager(PAGE_SIZE, () => void this.load());
  private tasks: Task[] = [];
  /** Nothing to draw again before the first page arrived. */
  private loaded = false;
  private loading: AbortController | undefined;
  private readonly actions: RowActions;

  constructor(
    private readonly filters: HTMLFormElement,
    retry: RowActions['retry'],
  ) {
    this.actions = {
      retry,
      journey: (task) => void showJourney(task.messageId),
      titleOf: (id) => this.titles.titleOf(id),
    };
  }

  query(): TaskQuery {
    return {
      status: valueOf(this.filters, 'status'),
      type: valueOf(this.filters, 'type'),
      gameId: valueOf(this.filters, 'gameId'),
      limit: PAGE_SIZE,
      ...this.pager.position(),
    };
  }

  /** Reads the current page; a newer read cancels an older one. */
  async load(): Promise<void> {
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    try {
      const result = await api.tasks(this.query(), controller.signal);
      this.tasks = result.items;
      this.loaded = true;
      this.pager.loaded(result);
      this.render();
    } catch (error) {
      if ((error as Error).name === 'AbortError') return;
      if (this.pager.droppedRefusedCursor(error)) return this.load();
      this.summary.textContent = `Could not load tasks: ${(error as Error).message}`;
    }
  }

  /** Applies one change from the stream in place, so the page never jumps while someone reads it. */
  apply(task: Task): void {
    // an update may have renamed the game and a delete removed it: look its title up again
    if (task.gameId !== null && (task.action === 'update' || task.action === 'delete')) {
      this.titles.forget(task.gameId);
    }
    const q = this.query();
    const index = this.tasks.findIndex((t) => t.messageId === task.messageId);
    if (index >= 0) {
      const row = this.rows.querySelector(`tr[data-message-id="${CSS.escape(task.messageId)}"]`);
      if (matches(task, q)) {
        this.tasks[index] = task;
        this.keepingFocus(() => row?.replaceWith(taskRow(task, this.actions)));
      } else {
        this.tasks.splice(index, 1);
        this.pager.adjustCount(-1);
        this.render();
      }
    } else if (matches(task, q) && this.pager.page === 0) {
      this.tasks.unshift(task);
      this.tasks.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      this.tasks = this.tasks.slice(0, PAGE_SIZE);
      this.pager.adjustCount(1);
      this.render();
    }
    if (task.gameId !== null) this.titles.lookUp([task.gameId]);
  }

  /**
   * Replacing rows drops the keyboard focus they held, and the page re-reads on its own now and
   * then: a keyboard user on a row's button (Retry, Journey) gets the focus back on the row's new
   * button of the same name.
   */
  private keepingFocus(replace: () => void): void {
    const focused = document.activeElement;
    const row = this.rows.contains(focused) ? focused?.closest('tr')?.dataset.messageId : undefined;
    const label = focused?.getAttribute('aria-label');
    replace();
    if (row === undefined) return;
    const buttons = `tr[data-message-id="${CSS.escape(row)}"] button`;
    const same = label ? `${buttons}[aria-label="${CSS.escape(label)}"]` : buttons;
    (
      this.rows.querySelector<HTMLElement>(same) ?? this.rows.querySelector<HTMLElement>(buttons)
    )?.focus();
  }

  /** Draws the rows again as they are (the Retry buttons follow who is signed in). */
  redraw(): void {
    if (this.loaded) this.render();
  }

  private render(): void {
    this.keepingFocus(() => {
      this.rows.replaceChildren(...this.tasks.map((task) => taskRow(task, this.actions)));
      if (!this.tasks.length) {
        this.rows.append(h('tr', {}, h('td', { colspan: 9, class: 'empty' }, 'No tasks match.')));
      }
    });
    this.titles.lookUp(this.tasks.flatMap((t) => (t.gameId === null ? [] : [t.gameId])));
    const total = this.pager.count;
    this.summary.textContent = `${total.toLocaleString('en')} ${total === 1 ? 'task' : 'tasks'}`;
    this.pager.render();
  }
}
