// Reads and writes the hash route (#/signin, #/apps/<appId>/keys, …): the console's only URL state.

export type AppTab = 'start' | 'dashboard' | 'keys' | 'users' | 'auth-configs' | 'events' | 'playground' | 'settings';

export type Route =
  | { page: 'invite'; code: string }
  | { page: 'recover'; token: string }
  | { page: 'signin' }
  | { page: 'apps' }
  | { page: 'org' }
  | { page: 'app'; appId: string; tab: AppTab; userId?: string };

const TABS: AppTab[] = ['start', 'dashboard', 'keys', 'users', 'auth-configs', 'events', 'playground', 'settings'];

/** The route of a hash; `null` for one that names no page. */
export function parse(hash: string): Route | null {
  const parts = hash.replace(/^#\/?/, '').split('/').map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const [first, second, third, fourth] = parts;
  if (first === 'invite' && second) return { page: 'invite', code: second };
  if (first === 'recover' && second) return { page: 'recover', token: second };
  if (first === 'signin' && parts.length === 1) return { page: 'signin' };
  if (first === 'org' && parts.length === 1) return { page: 'org' };
  if (first === 'apps' && parts.length === 1) return { page: 'apps' };
  if (first === 'apps' && second) {
    const tab = (third ?? 'start') as AppTab;
    if (!TABS.includes(tab)) return null;
    if (tab === 'users' && fourth) return { page: 'app', appId: second, tab, userId: fourth };
    if (parts.length <= 3) return { page: 'app', appId: second, tab };
  }
  return null;
}

/** The hash of a route. */
export function href(route: Route): string {
  switch (route.page) {
    case 'invite':
      return `#/invite/${encodeURIComponent(route.code)}`;
    case 'recover':
      return `#/recover/${encodeURIComponent(route.token)}`;
    case 'signin':
    case 'apps':
    case 'org':
      return `#/${route.page}`;
    case 'app': {
      const base = `#/apps/${encodeURIComponent(route.appId)}/${route.tab}`;
      return route.userId ? `${base}/${encodeURIComponent(route.userId)}` : base;
    }
  }
}

/** Opens `route` (drawn again if it is the current one). */
export function go(route: Route): void {
  const target = href(route);
  if (location.hash === target) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = target;
}

/** Shorthand for a page of one app. */
export const appHref = (appId: string, tab: AppTab, userId?: string) => href({ page: 'app', appId, tab, userId });
