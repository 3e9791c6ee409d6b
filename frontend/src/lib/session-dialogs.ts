import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@retro/common/api';
import { ApiError } from './api-client.js';
import { enableClosing, openDialog } from './dialog.js';
import { h } from './dom.js';
import { session } from './session.js';

/** One labelled field with its error line, the error tied to it by aria-describedby. */
function field(id: string, label: string, props: Record<string, string | boolean>) {
  const input = h('input', {
    id,
    name: id,
    required: true,
    'aria-describedby': `${id}-error`,
    ...props,
  });
  const error = h('p', { id: `${id}-error`, class: 'field-error' });
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), input, error);
  return { input, error, wrap };
}

function setError(input: HTMLInputElement, error: HTMLElement, message: string): void {
  error.textContent = message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

/**
 * A small form in a native modal dialog: heading, an error line that screen readers announce
 * (role=alert, always present, so a new text is read out), the fields, Cancel and a submit button.
 */
function formDialog(id: string, title: string, submitLabel: string, fields: HTMLElement[]) {
  const why = h('p', { id: `${id}-why`, class: 'hint' });
  const alert = h('p', { id: `${id}-error`, class: 'session-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'button primary' }, submitLabel);
  const form = h(
    'form',
    { novalidate: true },
    h('h2', { id: `${id}-title` }, title),
    why,
    alert,
    ...fields,
    h(
      'div',
      { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'button', 'data-close': true }, 'Cancel'),
      submit,
    ),
  );
  const dialog = h(
    'dialog',
    {
      id,
      class: 'session-dialog',
      'aria-labelledby': `${id}-title`,
      'aria-describedby': `${id}-why`,
    },
    form,
  );
  document.body.append(dialog);
  enableClosing(dialog);
  return { dialog, form, why, alert, submit };
}

/** Runs `work` with the submit button busy, so a second Enter sends nothing twice. */
async function busy(submit: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
  if (submit.disabled) return;
  submit.disabled = true;
  submit.setAttribute('aria-busy', 'true');
  try {
    await work();
  } finally {
    submit.disabled = false;
    submit.removeAttribute('aria-busy');
  }
}

/** The sign-in form; `open(why)` resolves true once signed in, false when closed without. */
export function signInDialog() {
  const name = field('sign-in-username', 'User name', { autocomplete: 'username', type: 'text' });
  const password = field('sign-in-password', 'Password', {
    autocomplete: 'current-password',
    type: 'password',
  });
  const ui = formDialog('sign-in-dialog', 'Sign in', 'Sign in', [name.wrap, password.wrap]);

  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(ui.submit, async () => {
      ui.alert.textContent = '';
      setError(name.input, name.error, name.input.value ? '' : 'Enter your user name.');
      setError(password.input, password.error, password.input.value ? '' : 'Enter your password.');
      const missing = [name, password].find((f) => !f.input.value);
      if (missing) return missing.input.focus();
      try {
        await session.signIn(name.input.value.trim(), password.input.value);
        password.input.value = '';
        ui.dialog.close('signed-in');
      } catch (error) {
        // a wrong name and a wrong password get one answer: say so without telling which
        ui.alert.textContent =
          error instanceof ApiError && error.status === 401
            ? 'Wrong user name or password.'
            : `Could not sign in: ${(error as Error).message}`;
        password.input.select();
        password.input.focus();
      }
    });
  });

  return {
    open(why: string, returnTo?: HTMLElement | null): Promise<boolean> {
      ui.form.reset();
      for (const f of [name, password]) setError(f.input, f.error, '');
      ui.alert.textContent = '';
      ui.why.textContent = why;
      ui.dialog.returnValue = '';
      if (session.current) name.input.value = session.current.username;
      return new Promise((resolve) => {
        openDialog(ui.dialog, { focus: name.input.value ? password.input : name.input, returnTo });
        // after openDialog's own close handler, so whoever waits may still move focus
        ui.dialog.addEventListener('close', () => resolve(ui.dialog.returnValue === 'signed-in'), {
          once: true,
        });
      });
    },
  };
}

/** "Change password": the current one proves it is the owner; resolves true once changed. */
export function passwordDialog() {
  const current = field('password-current', 'Current password', {
    autocomplete: 'current-password',
    type: 'password',
  });
  const next = field('password-new', 'New password', {
    autocomplete: 'new-password',
    type: 'password',
    minlength: String(PASSWORD_MIN_LENGTH),
    maxlength: String(PASSWORD_MAX_LENGTH),
  });
  const ui = formDialog('password-dialog', 'Change password', 'Change password', [
    current.wrap,
    next.wrap,
  ]);
  ui.why.textContent = `The new password needs ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`;

  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(ui.submit, async () => {
      ui.alert.textContent = '';
      const length = next.input.value.length;
      setError(
        current.input,
        current.error,
        current.input.value ? '' : 'Enter your current password.',
      );
      setError(
        next.input,
        next.error,
        length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH
          ? `The new password needs ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`
          : '',
      );
      const invalid = [current, next].find((f) => f.input.hasAttribute('aria-invalid'));
      if (invalid) return invalid.input.focus();
      try {
        await session.changePassword(current.input.value, next.input.value);
        ui.form.reset();
        ui.dialog.close('changed');
      } catch (error) {
        const wrong =
          error instanceof ApiError && error.details.some((d) => d.field === 'currentPassword');
        if (wrong) {
          setError(current.input, current.error, 'This is not your current password.');
          current.input.select();
          current.input.focus();
        }
        ui.alert.textContent = wrong
          ? 'The password was not changed: the current password is wrong.'
          : `The password was not changed: ${(error as Error).message}`;
      }
    });
  });

  return {
    open(): Promise<boolean> {
      ui.form.reset();
      for (const f of [current, next]) setError(f.input, f.error, '');
      ui.alert.textContent = '';
      ui.dialog.returnValue = '';
      return new Promise((resolve) => {
        openDialog(ui.dialog, { focus: current.input });
        ui.dialog.addEventListener('close', () => resolve(ui.dialog.returnValue === 'changed'), {
          once: true,
        });
      });
    },
  };
}
