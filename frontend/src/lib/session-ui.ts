import { setSessionHooks } from './api-client.js';
import { h } from './dom.js';
import { passwordDialog, signInDialog } from './session-dialogs.js';
import { session, type Role, type SessionInfo } from './session.js';

const SIGN_IN_NEEDED =
  'This needs you to be signed in, or your session has ended. Sign in and what you asked for will finish.';

/**
 * The header's account area on every page: who is signed in and as what, Sign out and Change
 * password; Sign in when nobody is. Registers the sign-in form with the API clients, so a 401 in
 * the middle of anything shows it and then finishes what was asked (api-client.ts). Elements
 * marked `data-needs-role="ROLE"` are shown only to that role and above.
 */
export function startSession(header: Element | null): void {
  const status = h('p', { id: 'account-status', class: 'account-status', role: 'status' });
  const area = h('div', { id: 'account', class: 'account' });
  (header ?? document.body).append(
    h('section', { class: 'account-box', 'aria-label': 'Signed in as' }, area, status),
  );
  const signIn = signInDialog();
  const password = passwordDialog();

  /** One form at a time: every 401 that arrives while it is open waits for the same answer. */
  let pending: Promise<boolean> | undefined;
  /** A visitor who closed the form is not asked again for reads the page makes on its own. */
  let declined = false;

  const prompt = (why: string, returnTo?: HTMLElement | null) => {
    pending ??= signIn.open(why, returnTo).then((signedIn) => {
      pending = undefined;
      if (!signedIn) declined = true;
      return signedIn;
    });
    return pending;
  };

  setSessionHooks({
    async signIn({ method }) {
      if (declined && method === 'GET' && !pending) return false;
      const signedIn = await prompt(SIGN_IN_NEEDED);
      // not signed in after all: the page draws what the visitor now is (anonymous, mostly)
      if (!signedIn) void session.load();
      return signedIn;
    },
    forbidden: () => void session.load(),
  });

  const button = (id: string, text: string, onclick: () => void) =>
    h('button', { type: 'button', id, class: 'button small', onclick }, text);

  function draw(info: SessionInfo | null): void {
    const had = area.contains(document.activeElement);
    if (info) {
      area.replaceChildren(
        h(
          'p',
          { class: 'account-who' },
          'Signed in as ',
          h('strong', { id: 'account-name' }, info.username),
          ' ',
          h(
            'span',
            { class: 'account-role' },
            '(',
            h('span', { id: 'account-role' }, info.role),
            ')',
          ),
        ),
        button('change-password', 'Change password', () => {
          void password.open().then((changed) => {
            if (changed) status.textContent = 'Your password was changed.';
          });
        }),
        button('sign-out', 'Sign out', () => void signOut()),
      );
    } else {
      area.replaceChildren(
        h('p', { class: 'account-who' }, 'Not signed in'),
        button('sign-in', 'Sign in', () => {
          // once the form has closed (and put focus back), focus goes where Sign in was
          void prompt('').then((signedIn) => {
            if (signedIn) area.querySelector<HTMLElement>('button')?.focus();
          });
        }),
      );
    }
    // the button that had focus is gone (Sign in became Sign out): keep focus in the same place
    if (had) area.querySelector<HTMLElement>('button')?.focus();
    showRoleGates();
  }

  async function signOut(): Promise<void> {
    try {
      await session.signOut();
      status.textContent = 'You are signed out.';
    } catch (error) {
      status.textContent = `Could not sign out: ${(error as Error).message}`;
    }
  }

  session.onChange((info) => {
    declined = false;
    if (info) status.textContent = '';
    draw(info);
  });
  void session.load();
}

/**
 * Shows each `data-needs-role` element to its role and above and hides it from everyone else;
 * a `data-below-role` element (what to do to get there) the other way round.
 */
export function showRoleGates(root: ParentNode = document): void {
  for (const element of root.querySelectorAll<HTMLElement>('[data-needs-role]')) {
    element.hidden = !session.can(element.dataset.needsRole as Role);
  }
  for (const element of root.querySelectorAll<HTMLElement>('[data-below-role]')) {
    element.hidden = session.can(element.dataset.belowRole as Role);
  }
}
