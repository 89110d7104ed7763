// The signed-in admin's session, kept in sessionStorage (gone when the tab closes).
import type { Admin, SignedIn } from './types';

const KEY = 'ferrokey.console.session';
const NOTICE = 'ferrokey.console.notice';

export function saveSession(signedIn: SignedIn): void {
  sessionStorage.setItem(KEY, JSON.stringify(signedIn));
}

export function currentSession(): SignedIn | null {
  const text = sessionStorage.getItem(KEY);
  if (!text) return null;
  try {
    return JSON.parse(text) as SignedIn;
  } catch {
    return null;
  }
}

/** The bearer token for /admin calls, if signed in. */
export function bearer(): string | null {
  return currentSession()?.session ?? null;
}

export function currentAdmin(): Admin | null {
  return currentSession()?.admin ?? null;
}

/** Updates the remembered admin (after `GET /admin/session`). */
export function rememberAdmin(admin: Admin): void {
  const signedIn = currentSession();
  if (signedIn) saveSession({ ...signedIn, admin });
}

/** Forgets the session; `notice` is shown once on the sign-in page. */
export function clearSession(notice?: string): void {
  sessionStorage.removeItem(KEY);
  if (notice) sessionStorage.setItem(NOTICE, notice);
}

/** The one-time message for the sign-in page (why the admin was signed out), then forgets it. */
export function takeNotice(): string | null {
  const notice = sessionStorage.getItem(NOTICE);
  sessionStorage.removeItem(NOTICE);
  return notice;
}
