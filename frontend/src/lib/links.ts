import type { PageLinks } from '@retro/common/api';
import { byId, h } from './dom.js';

/** The RabbitMQ management plugin's port, where RABBITMQ_MANAGEMENT_URL is not set. */
export const RABBITMQ_MANAGEMENT_PORT = 15672;

/**
 * Where a link to another tool goes: the configured address (a folder: it ends with `/`), or, when
 * none is set, the host this page was opened at with the tool's port, so the links work from any
 * machine that reaches this one.
 */
export function toolUrl(configured: string | null, port: number, path = ''): string {
  const base = configured ?? `${location.protocol}//${location.hostname}:${port}/`;
  return new URL(path, base.endsWith('/') ? base : `${base}/`).href;
}

/** Points the link with `id` at `href`. */
export function setLink(id: string, href: string): void {
  byId<HTMLAnchorElement>(id).href = href;
}

/** A link to another tool, which opens in a tab of its own. */
export const toolLink = (id: string, text: string) =>
  h('a', { id, href: '/', target: '_blank', rel: 'noopener' }, text);

/**
 * The catalog pages' links to the producer page and the RabbitMQ UI, added to the page header:
 * derived addresses at once, the configured ones as soon as the server tells them
 * (`/app-config.json`).
 */
export async function linkTools(): Promise<void> {
  document
    .querySelector('.site-header')
    ?.append(
      h(
        'nav',
        { class: 'tools', 'aria-label': 'Other tools' },
        toolLink('producer-link', 'Message producer'),
        toolLink('rabbitmq-link', 'RabbitMQ'),
      ),
    );
  const show = (links: PageLinks) => {
    setLink('producer-link', toolUrl(links.producerUrl, links.producerPort));
    setLink('rabbitmq-link', toolUrl(links.rabbitmqManagementUrl, RABBITMQ_MANAGEMENT_PORT));
  };
  show({ producerUrl: null, producerPort: 3001, rabbitmqManagementUrl: null });
  try {
    const response = await fetch('/app-config.json', { headers: { Accept: 'application/json' } });
    if (response.ok) show((await response.json()) as PageLinks);
  } catch {
    // the derived addresses stay: right for `npm start` and the containers' defaults
  }
}
