import { byId, h } from '../../lib/dom.js';
import type { DeadLetterFilter, DeadLetterGroup, DeadLetterType } from './api.js';

/** The filter form: what it holds, as the API's filter, and back. */
export class FilterForm {
  private readonly form = byId<HTMLFormElement>('dl-filter');
  private readonly group = byId<HTMLSelectElement>('dl-filter-group');
  private readonly type = byId<HTMLSelectElement>('dl-filter-type');
  private readonly gameId = byId<HTMLInputElement>('dl-filter-game');
  private readonly text = byId<HTMLInputElement>('dl-filter-text');
  private readonly from = byId<HTMLInputElement>('dl-filter-from');
  private readonly to = byId<HTMLInputElement>('dl-filter-to');
  private readonly replayed = byId<HTMLSelectElement>('dl-filter-replayed');

  constructor(onApply: () => void) {
    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      onApply();
    });
    byId('dl-filter-reset').addEventListener('click', () => {
      this.form.reset();
      onApply();
    });
  }

  /** Offers the current groups in the group picker, keeping what is picked. */
  showGroups(groups: DeadLetterGroup[]): void {
    const picked = this.group.value;
    this.group.replaceChildren(
      h('option', { value: '' }, 'Any group'),
      ...groups.map((g) => h('option', { value: g.groupId }, `${g.fingerprint} (${g.count})`)),
    );
    if (picked && !groups.some((g) => g.groupId === picked)) {
      this.group.append(h('option', { value: picked }, `${picked} (empty)`));
    }
    this.group.value = picked;
  }

  /** Picks one group (from the groups table) and clears the other filters. */
  pickGroup(groupId: string): void {
    this.form.reset();
    if (![...this.group.options].some((o) => o.value === groupId)) {
      this.group.append(h('option', { value: groupId }, groupId));
    }
    this.group.value = groupId;
  }

  get value(): DeadLetterFilter {
    const filter: DeadLetterFilter = {};
    if (this.group.value) filter.group = this.group.value;
    if (this.type.value) filter.type = this.type.value as DeadLetterType;
    if (this.gameId.value) filter.gameId = Number(this.gameId.value);
    if (this.text.value.trim()) filter.bodyContains = this.text.value.trim();
    // datetime-local holds local time without a zone: the API wants an instant
    if (this.from.value) filter.from = new Date(this.from.value).toISOString();
    if (this.to.value) filter.to = new Date(this.to.value).toISOString();
    if (this.replayed.value) filter.replayed = this.replayed.value === 'true';
    return filter;
  }

  /** Marks the fields the API refused, with its words under the form. */
  showRefusal(details: { field: string; message: string }[]): string {
    const fields: Record<string, HTMLElement> = {
      group: this.group,
      type: this.type,
      gameId: this.gameId,
      bodyContains: this.text,
      from: this.from,
      to: this.to,
      replayed: this.replayed,
    };
    for (const node of Object.values(fields)) node.removeAttribute('aria-invalid');
    for (const d of details) fields[d.field]?.setAttribute('aria-invalid', 'true');
    return details.map((d) => `${d.field} ${d.message}`).join('; ');
  }
}
