import { api } from '../lib/catalog-api.js';
import { byId, h } from '../lib/dom.js';
import { setBadge } from '../lib/format.js';
import type { TaskCounts } from '../lib/types.js';
import { countItems } from './counts.js';

/** The counts above the table and the list of games still processing, read together. */
export class Sidebars {
  private readonly countsList = byId<HTMLUListElement>('counts');

  constructor(
    /** The status filter in force, for the pressed count. */
    private readonly activeStatus: () => string,
    /** A count was pressed: filter by its status ('' = all). */
    private readonly pick: (status: string) => void,
    /** New counts arrived (they carry the backend's stalled threshold). */
    private readonly onCounts: (counts: TaskCounts) => void,
  ) {}

  async load(): Promise<void> {
    const [counts, unfinished] = await Promise.allSettled([
      api.taskCounts(),
      api.unfinishedGames(),
    ]);
    if (counts.status === 'fulfilled') {
      this.countsList.replaceChildren(...countItems(counts.value, this.activeStatus(), this.pick));
      this.onCounts(counts.value);
    }
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
}
