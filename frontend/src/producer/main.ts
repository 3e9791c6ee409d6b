import { api } from './api.js';
import { Composer } from './composer.js';
import { DeadLetterConsole } from './dead-letters/console.js';
import { byId } from '../lib/dom.js';
import { RABBITMQ_MANAGEMENT_PORT, setLink, toolUrl } from '../lib/links.js';
import { session } from '../lib/session.js';
import { startSession } from '../lib/session-ui.js';
import { History } from './history.js';
import { QueueMonitor } from './queues.js';

const badge = byId('broker-status');
let brokerText = '';

/** One badge for the broker's state, fed by every answer the page gets. */
function brokerState(up: boolean, why?: string): void {
  const text = up ? 'Broker: connected' : why ? `Producer: ${why}` : 'Broker: unreachable';
  if (text === brokerText) return; // the badge is a live region: announce changes only
  brokerText = text;
  badge.textContent = text;
  badge.classList.toggle('up', up);
  badge.classList.toggle('down', !up);
}

const history = new History();
const composer = new Composer((entry) => history.add(entry), brokerState);
const deadLetters = new DeadLetterConsole((label, detail, count) =>
  history.add({ at: new Date().toISOString(), kind: 'raw', label, ok: true, detail, count }),
);
// a change in the DLQ's depth means the archiver has new parked messages, or is about to
new QueueMonitor(brokerState, () => void deadLetters.refresh()).start();
deadLetters.start();

/** The templates are for publishing, a tester's: read once someone who may publish is here. */
let templatesShown = false;
async function showTemplates(): Promise<void> {
  if (templatesShown || !session.can('tester')) return;
  templatesShown = true;
  try {
    composer.showTemplates((await api.templates()).templates);
  } catch (error) {
    templatesShown = false;
    byId('result').textContent =
      `Could not load the templates: ${error instanceof Error ? error.message : String(error)}`;
  }
}

async function showLinks(): Promise<void> {
  const info = await api.info();
  const catalog = (path = '') => toolUrl(info.catalogUrl, info.frontendPort, path);
  setLink('catalog-link', catalog());
  for (const id of ['processing-link', 'processing-top-link', 'dl-processing-link']) {
    setLink(id, catalog('processing.html'));
  }
  setLink('rabbitmq-link', toolUrl(info.rabbitmqManagementUrl, RABBITMQ_MANAGEMENT_PORT));
}

startSession(document.querySelector('header.top'));
session.onChange(() => void showTemplates());
showLinks().catch(() => undefined); // the links keep their defaults
