import type { AlertList } from '@retro/common/api';
import { apiClient } from './api-client.js';
import { h } from './dom.js';

const client = apiClient('The catalog API cannot be reached.');

/**
 * The bell in the header of the catalog's pages: how many built-in alerts fire now and how many
 * of them nobody acknowledged or snoozed (GET /api/alerts, docs/operations.md "Alerts"), read
 * every `intervalMs`. Hidden while nothing fires, or while the visitor may not read alerts (a
 * bell never asks anyone to sign in).
 */
export function startAlertBell(header: Element | null, intervalMs = 30_000): void {
  const count = h('span', { class: 'alert-bell-count' });
  const bell = h(
    'a',
    { id: 'alert-bell', class: 'alert-bell', href: '/api/alerts', hidden: true },
    h('span', { 'aria-hidden': 'true' }, '🔔 '),
    count,
  );
  (header ?? document.body).append(bell);

  async function refresh(): Promise<void> {
    try {
      const { firing, unattended } = await client.json<AlertList>('/api/alerts?limit=1', {
        signIn: false,
      });
      count.textContent = `${firing} alert${firing === 1 ? '' : 's'} firing`;
      bell.title = `${unattended} not acknowledged or snoozed`;
      bell.classList.toggle('unattended', unattended > 0);
      bell.hidden = firing === 0;
    } catch {
      bell.hidden = true;
    }
  }
  void refresh();
  setInterval(() => void refresh(), intervalMs);
}
