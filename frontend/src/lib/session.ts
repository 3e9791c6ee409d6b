import {
  passwordChangeBodySchema,
  roleAtLeast,
  sessionInfoSchema,
  signInBodySchema,
  type Role,
  type SessionInfo,
} from '@retro/common/api';
import { ApiError, apiClient, jsonBody } from './api-client.js';

export type { Role, SessionInfo } from '@retro/common/api';

/** Both services answer `/api/session` the same way, so one relative path serves every page. */
const PATH = '/api/session';
const client = apiClient('The service cannot be reached. Check your connection.');

type Listener = (info: SessionInfo | null) => void;

/**
 * Who is signed in on this page, as the service last said. Pages draw the controls a role may
 * use from it and draw them again when it changes; the service still checks every call.
 */
class Session {
  private info: SessionInfo | null = null;
  private known = false;
  private readonly listeners = new Set<Listener>();

  /** The signed-in account, or null for an anonymous visitor. */
  get current(): SessionInfo | null {
    return this.info;
  }

  /**
   * True when the signed-in role may do what `needed` may. An anonymous visitor is never more
   * than a viewer, and only reads need nothing more, so no control is gated on `viewer`.
   */
  can(needed: Role): boolean {
    return roleAtLeast(this.info?.role, needed);
  }

  /** Calls `listener` now (once the session is known) and on every change; answers the unsubscribe. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.known) listener(this.info);
    return () => this.listeners.delete(listener);
  }

  /** Asks the service who this browser is: 401 (or a service that has no sessions) is nobody. */
  async load(): Promise<SessionInfo | null> {
    try {
      const answer = await client.json<unknown>(PATH, { signIn: false });
      this.set(sessionInfoSchema.safeParse(answer).data ?? null);
    } catch (error) {
      if (error instanceof ApiError && error.status === 0 && this.known) return this.info;
      this.set(null);
    }
    return this.info;
  }

  /** Signs in; a refusal throws the service's `ApiError` (401: wrong name or password). */
  async signIn(username: string, password: string): Promise<SessionInfo> {
    const body = signInBodySchema.parse({ username, password });
    const answer = await client.json<unknown>(PATH, { ...jsonBody('POST', body), signIn: false });
    const info = sessionInfoSchema.parse(answer);
    this.set(info);
    return info;
  }

  async signOut(): Promise<void> {
    await client.send(PATH, { method: 'DELETE', signIn: false });
    this.set(null);
  }

  /** 400 names `currentPassword` when it is wrong, `newPassword` when it is too short or long. */
  async changePassword(currentPassword: string, newPassword: string): Promise<void> {
    const body = passwordChangeBodySchema.parse({ currentPassword, newPassword });
    await client.send(`${PATH}/password`, { ...jsonBody('PUT', body), signIn: false });
  }

  private set(info: SessionInfo | null): void {
    const same =
      this.known && info?.username === this.info?.username && info?.role === this.info?.role;
    this.info = info;
    this.known = true;
    if (same) return;
    for (const listener of [...this.listeners]) listener(info);
  }
}

/** The one session of the page. */
export const session = new Session();
