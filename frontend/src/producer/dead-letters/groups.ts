import { byId, h } from '../../lib/dom.js';
import { session } from '../../lib/session.js';
import type { DeadLetterGroup } from './api.js';

const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** The failure groups: masked reason, counts, first and last parking, and what to do with one. */
export class GroupTable {
  private readonly rows = byId('dl-groups');
  private readonly summary = byId('dl-groups-summary');

  constructor(
    private readonly actions: {
      show: (groupId: string) => void;
      replay: (group: DeadLetterGroup) => void;
    },
  ) {}

  render(groups: DeadLetterGroup[]): void {
    // keep keyboard focus on the same button when the table is drawn again
    const focused = (document.activeElement as HTMLElement | null)?.dataset.groupAction;
    this.rows.replaceChildren(...groups.map((g) => this.row(g)));
    if (focused) this.rows.querySelector<HTMLElement>(`[data-group-action="${focused}"]`)?.focus();
    const total = groups.reduce((sum, g) => sum + g.count, 0);
    this.summary.textContent =
      groups.length === 0
        ? 'Nothing archived: no message has been parked.'
        : `${total} archived message${total === 1 ? '' : 's'} in ${groups.length} group${groups.length === 1 ? '' : 's'}.`;
  }

  private row(g: DeadLetterGroup): HTMLTableRowElement {
    const show = h('button', { type: 'button' }, 'Show');
    show.dataset.groupAction = `show-${g.groupId}`;
    show.setAttribute('aria-label', `Show the messages of group ${g.groupId}`);
    show.addEventListener('click', () => this.actions.show(g.groupId));
    // replaying is an operator's: nobody else gets the button
    const replay = session.can('operator') && h('button', { type: 'button' }, 'Replay group');
    if (replay) {
      replay.dataset.groupAction = `replay-${g.groupId}`;
      replay.setAttribute('aria-label', `Replay every message of group ${g.groupId}`);
      replay.addEventListener('click', () => this.actions.replay(g));
    }
    return h(
      'tr',
      { 'data-group-id': g.groupId },
      h(
        'th',
        { scope: 'row' },
        h('span', { class: 'reason' }, g.fingerprint),
        h('br'),
        h('code', { class: 'hint' }, g.groupId),
      ),
      h('td', { class: 'num' }, g.count),
      h('td', {}, `${g.counts.game} / ${g.counts.custom} / ${g.counts.other}`),
      h('td', {}, time(g.firstParkedAt), h('br'), time(g.lastParkedAt)),
      h('td', { class: 'buttons' }, show, replay),
    );
  }
}
