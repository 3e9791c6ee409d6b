import { enableClosing, openDialog } from './dialog.js';
import { h } from './dom.js';

export interface ConfirmOptions {
  /** The question, e.g. "Delete 3 messages?". */
  title: string;
  /** What will happen, naming what it touches (how many messages, which game). */
  text: string;
  /** The confirming button's label, e.g. "Delete 3 messages". */
  confirm: string;
}

let dialog: HTMLDialogElement | undefined;

function build(): HTMLDialogElement {
  const element = h(
    'dialog',
    {
      id: 'confirm-dialog',
      class: 'confirm-dialog',
      'aria-labelledby': 'confirm-title',
      'aria-describedby': 'confirm-text',
    },
    h('h2', { id: 'confirm-title' }),
    h('p', { id: 'confirm-text' }),
    h(
      'div',
      { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', 'data-close': true }, 'Cancel'),
      h('button', { type: 'button', class: 'button danger', id: 'confirm-ok' }, 'Confirm'),
    ),
  );
  document.body.append(element);
  enableClosing(element);
  element.querySelector('#confirm-ok')?.addEventListener('click', () => element.close('confirm'));
  return element;
}

/**
 * Asks before an action that removes or resends what cannot be taken back lightly. Cancel has the
 * focus, so Enter on an opened confirmation never starts the action; resolves true on confirm.
 */
export function confirmAction(options: ConfirmOptions): Promise<boolean> {
  dialog ??= build();
  const element = dialog;
  element.querySelector('#confirm-title')!.textContent = options.title;
  element.querySelector('#confirm-text')!.textContent = options.text;
  element.querySelector('#confirm-ok')!.textContent = options.confirm;
  element.returnValue = '';
  return new Promise((resolve) => {
    openDialog(element, { focus: element.querySelector<HTMLElement>('[data-close]') });
    element.addEventListener('close', () => resolve(element.returnValue === 'confirm'), {
      once: true,
    });
  });
}

/** "1 message", "3 messages". */
export const count = (n: number, noun: string) =>
  `${n.toLocaleString('en')} ${noun}${n === 1 ? '' : 's'}`;
