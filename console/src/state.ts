// In-memory state shared by pages: the organization's apps (for the app switcher), the app
// last worked on, the keys of an app created in this tab (never written to storage), and a
// one-time message for the next page (e.g. "The app … was deleted." on Apps).
import { api } from './api';
import type { CreatedKeys, ListedApp } from './types';

const LAST_APP = 'ferrokey.console.lastApp';
let apps: ListedApp[] | null = null;
const created = new Map<string, CreatedKeys>();
let flash: string | null = null;

/** The apps, fetched once and then from memory until `loadApps(true)`. */
export async function loadApps(fresh = false): Promise<ListedApp[]> {
  if (fresh || !apps) apps = await api.apps();
  return apps;
}

export function forgetApps(): void {
  apps = null;
  created.clear();
}

export function lastApp(): string | null {
  return sessionStorage.getItem(LAST_APP);
}

export function setLastApp(appId: string): void {
  sessionStorage.setItem(LAST_APP, appId);
}

/** Forgets an app that is gone (the navigation then shows no app pages for it). */
export function forgetApp(appId: string): void {
  if (lastApp() === appId) sessionStorage.removeItem(LAST_APP);
  apps = apps?.filter((a) => a.appId !== appId) ?? null;
}

/** Leaves `message` for the next page to show once. */
export function setFlash(message: string): void {
  flash = message;
}

export function takeFlash(): string | null {
  const message = flash;
  flash = null;
  return message;
}

export function rememberCreated(appId: string, keys: CreatedKeys): void {
  created.set(appId, keys);
}

/** The four keys of an app just created in this tab, once (later visits reveal them). */
export function takeCreatedKeys(appId: string): CreatedKeys | undefined {
  const keys = created.get(appId);
  created.delete(appId);
  return keys;
}
