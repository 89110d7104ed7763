// Calls the admin API (same origin): JSON in and out, the session as a bearer token, problem
// details turned into ApiError, and any 401 ending the session and returning to sign-in. Its
// `send` also makes the Playground's calls to the app API (with a secret key, not the session).
import { bearer, clearSession } from './session';
import type {
  Admin, AuthConfig, AuthConfigInput, ConsoleConfig, CreatedKeys, Dashboard, EventsPage, Invitation, ListedApp,
  ListedKey, MarkedForDeletion, OrgAdmin, Settings, SignedIn, UserDetail, UsersPage,
} from './types';

/** A refused call: `title` is what the admin is shown. */
export class ApiError extends Error {
  constructor(
    public readonly title: string,
    public readonly status: number,
    public readonly errorCode?: string,
    /** Field messages of a validation problem (`errors: {field: [messages]}`). */
    public readonly fieldErrors: string[] = [],
    /** `client` when the browser's passkey step failed before any server answer. */
    public readonly from: 'server' | 'client' = 'server',
    /** The same messages by field (`purpose`, `timeToLive`, …), to show next to each input. */
    public readonly byField: Record<string, string[]> = {},
  ) {
    super(title);
  }
}

/** What to show for any failure: the problem's title, else the error's message. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    return error.fieldErrors.length ? `${error.title} ${error.fieldErrors.join(' ')}` : error.title;
  }
  return error instanceof Error ? error.message : String(error);
}

interface Problem {
  title?: string;
  status?: number;
  errorCode?: string;
  errors?: Record<string, string[]>;
}

/**
 * One JSON call to `url` with `headers`: the reply, or an ApiError from the problem. Also used
 * by the Playground for the app API (with the app's secret instead of the session).
 */
export async function send<T>(method: string, url: string, body: unknown, headers: Record<string, string>): Promise<T> {
  const all: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) all['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError('The server could not be reached. Check your connection and try again.', 0);
  }
  if (!response.ok) {
    let problem: Problem = {};
    try {
      problem = (await response.json()) as Problem;
    } catch {
      /* not JSON: fall back to the status text */
    }
    const byField = problem.errors ?? {};
    const fields = Object.values(byField).flat();
    throw new ApiError(problem.title ?? `${response.status} ${response.statusText}`, response.status, problem.errorCode, fields, 'server', byField);
  }
  if (response.status === 204 || response.status === 201) {
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
  return (await response.json()) as T;
}

/** An admin API call (with the session, unless `signedIn` is false); a 401 ends the session. */
async function request<T>(method: string, path: string, body?: unknown, signedIn = true): Promise<T> {
  const token = signedIn ? bearer() : null;
  try {
    return await send<T>(method, path, body, token ? { Authorization: `Bearer ${token}` } : {});
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && signedIn) {
      clearSession('Your session ended. Sign in again.');
      location.hash = '#/signin';
    }
    throw error;
  }
}

const app = (appId: string) => `/admin/apps/${encodeURIComponent(appId)}`;

export const api = {
  config: () => request<ConsoleConfig>('GET', '/console/config.json', undefined, false),

  // Signing in.
  acceptInvite: (code: string) => request<{ token: string }>('POST', '/admin/invites/accept', { code }, false),
  openSession: (token: string) => request<SignedIn>('POST', '/admin/session', { token }, false),
  whoAmI: () => request<{ admin: Admin | null; via: string }>('GET', '/admin/session'),
  signOut: () => request<void>('DELETE', '/admin/session'),
  registerToken: () => request<{ token: string }>('POST', '/admin/session/register-token'),
  recover: (email: string) => request<void>('POST', '/admin/recover', { email }, false),

  // The organization.
  invite: (email: string) => request<Invitation>('POST', '/admin/org/invites', { email }),
  admins: () => request<OrgAdmin[]>('GET', '/admin/org/admins'),
  removeAdmin: (id: string) => request<void>('DELETE', `/admin/org/admins/${encodeURIComponent(id)}`),

  // Apps.
  apps: () => request<ListedApp[]>('GET', '/admin/apps'),
  available: (appId: string) => request<{ available: boolean }>('GET', `${app(appId)}/available`),
  createApp: (appId: string) => request<CreatedKeys>('POST', `${app(appId)}/create`, {}),

  // API keys.
  keys: (appId: string) => request<ListedKey[]>('GET', `${app(appId)}/api-keys`),
  createKey: (appId: string, kind: 'public' | 'secret', scopes: string[]) =>
    request<{ apiKey: string }>('POST', `${app(appId)}/${kind}-keys`, { scopes }),
  lockKey: (appId: string, id: string) => request<void>('POST', `${app(appId)}/api-keys/${encodeURIComponent(id)}/lock`),
  unlockKey: (appId: string, id: string) => request<void>('POST', `${app(appId)}/api-keys/${encodeURIComponent(id)}/unlock`),
  deleteKey: (appId: string, id: string) => request<void>('DELETE', `${app(appId)}/api-keys/${encodeURIComponent(id)}`),
  revealKey: (appId: string, id: string) =>
    request<{ apiKey: string }>('GET', `${app(appId)}/api-keys/${encodeURIComponent(id)}/reveal`),

  // An app's users.
  users: (appId: string, search: string, cursor: string | null, limit: number) => {
    const query = new URLSearchParams({ search, limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return request<UsersPage>('GET', `${app(appId)}/users?${query}`);
  },
  user: (appId: string, userId: string) => request<UserDetail>('GET', `${app(appId)}/users/${encodeURIComponent(userId)}`),
  deleteUser: (appId: string, userId: string) => request<void>('DELETE', `${app(appId)}/users/${encodeURIComponent(userId)}`),
  deleteCredential: (appId: string, credentialId: string) =>
    request<void>('DELETE', `${app(appId)}/credentials/${encodeURIComponent(credentialId)}`),

  // Settings.
  settings: (appId: string) => request<Settings>('GET', `${app(appId)}/settings`),
  saveSettings: (appId: string, patch: Partial<Settings>) => request<Settings>('POST', `${app(appId)}/settings`, patch),

  // Deleting the app: at once when young or unused, else scheduled (keys locked) and cancellable.
  canDeleteNow: (appId: string) => request<boolean>('GET', `${app(appId)}/can-delete-immediately`),
  markDelete: (appId: string, deletedBy: string) =>
    request<MarkedForDeletion>('POST', `${app(appId)}/mark-delete`, { deletedBy }),
  cancelDelete: (appId: string) => request<{ message: string }>('POST', `${app(appId)}/cancel-delete`),

  // Authentication configurations (per purpose: user verification, hints, token lifetime).
  authConfigs: (appId: string) =>
    request<{ configurations: AuthConfig[] }>('GET', `${app(appId)}/auth-configs`).then((r) => r.configurations),
  addAuthConfig: (appId: string, input: AuthConfigInput) => request<void>('POST', `${app(appId)}/auth-configs`, input),
  saveAuthConfig: (appId: string, purpose: string, input: AuthConfigInput) =>
    request<void>('POST', `${app(appId)}/auth-configs/${encodeURIComponent(purpose)}`, input),
  deleteAuthConfig: (appId: string, purpose: string) =>
    request<void>('DELETE', `${app(appId)}/auth-configs/${encodeURIComponent(purpose)}`),

  // The event log, newest first.
  events: (appId: string, type: string, cursor: string | null, limit: number) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (type) query.set('type', type);
    if (cursor) query.set('cursor', cursor);
    return request<EventsPage>('GET', `${app(appId)}/events?${query}`);
  },

  // The dashboard's analytics for the UTC days [from, to) (YYYY-MM-DD).
  dashboard: (appId: string, from: string, to: string) =>
    request<Dashboard>('GET', `${app(appId)}/dashboard?${new URLSearchParams({ from, to })}`),
};
