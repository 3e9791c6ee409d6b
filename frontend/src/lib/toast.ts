import { byId, h } from './dom.js';

export type ToastKind = 'info' | 'success' | 'error';

/**
 * Short messages in a live region: screen readers announce them, and they leave on their own.
 * Errors stay longer and are announced assertively.
 */
export function toast(message: string, kind: ToastKind = 'info'): void {
  const region = byId(kind === 'error' ? 'toasts-alert' : 'toasts');
  const item = h('div', { class: `toast toast-${kind}` }, message);
  const dismiss = () => item.remove();
  item.append(
    h(
      'button',
      { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss', onclick: dismiss },
      '×',
    ),
  );
  region.append(item);
  setTimeout(dismiss, kind === 'error' ? 8000 : 5000);
}
