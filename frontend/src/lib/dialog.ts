export interface OpenDialogOptions {
  /** What gets focus inside the dialog; the browser's choice (first focusable) otherwise. */
  focus?: HTMLElement | null;
  /** Where focus returns on close; the control that had focus when it opened otherwise. */
  returnTo?: HTMLElement | null;
}

/**
 * Opens a native modal `<dialog>`: the browser keeps focus inside it, makes the page behind it
 * inert and closes it on Escape. This adds what the browser leaves out: focus goes back to the
 * control that opened the dialog (or the page heading when that control is gone), and `data-close`
 * buttons and backdrop clicks close it.
 */
export function openDialog(dialog: HTMLDialogElement, options: OpenDialogOptions = {}): void {
  const active = document.activeElement;
  const returnTo = options.returnTo ?? (active instanceof HTMLElement ? active : null);
  dialog.addEventListener(
    'close',
    () => {
      // another dialog opened in its place (view → edit): that one decides where focus goes;
      // one opened over another (sign-in over the edit form) gives focus back inside the other
      const inOpenDialog = returnTo?.closest('dialog[open]');
      if (document.querySelector('dialog[open]') && !inOpenDialog) return;
      if (returnTo?.isConnected) returnTo.focus();
      else document.querySelector<HTMLElement>('main h1')?.focus();
    },
    { once: true },
  );
  dialog.showModal();
  options.focus?.focus();
}

/** Wires `data-close` buttons and backdrop clicks (which land on the dialog element itself). */
export function enableClosing(dialog: HTMLDialogElement): void {
  for (const button of dialog.querySelectorAll<HTMLElement>('[data-close]')) {
    button.addEventListener('click', () => dialog.close('cancel'));
  }
  dialog.addEventListener('click', (event) => {
    if (event.target !== dialog) return;
    const box = dialog.getBoundingClientRect();
    const inside =
      event.clientX >= box.left &&
      event.clientX <= box.right &&
      event.clientY >= box.top &&
      event.clientY <= box.bottom;
    if (!inside) dialog.close('cancel');
  });
}
