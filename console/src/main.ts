// The console's entry point: picks the page for the hash route, keeps signed-out visitors on
// the sign-in pages, and draws the page inside the shell.
import './style.css';
import { api } from './api';
import { appsPage } from './pages/apps';
import { authConfigsPage } from './pages/authconfigs';
import { failed } from './pages/common';
import { eventsPage } from './pages/events';
import { invitePage } from './pages/invite';
import { keysPage } from './pages/keys';
import { orgPage } from './pages/org';
import { playgroundPage } from './pages/playground';
import { recoverPage } from './pages/recover';
import { settingsPage } from './pages/settings';
import { signInPage } from './pages/signin';
import { startPage } from './pages/start';
import { userPage, usersPage } from './pages/users';
import { go, parse, type Route } from './router';
import { bearer, rememberAdmin } from './session';
import { setLastApp } from './state';
import { shell } from './shell';

const root = document.getElementById('app') as HTMLElement;

/** Pages anyone may open; every other page needs a session. */
const PUBLIC: Route['page'][] = ['invite', 'recover', 'signin'];

function page(main: HTMLElement, route: Route): void | Promise<void> {
  switch (route.page) {
    case 'invite':
      return invitePage(main, route.code);
    case 'recover':
      return recoverPage(main, route.token);
    case 'signin':
      return signInPage(main);
    case 'apps':
      return appsPage(main);
    case 'org':
      return orgPage(main);
    case 'app':
      switch (route.tab) {
        case 'start':
          return startPage(main, route.appId);
        case 'dashboard':
          // Its own chunk (Chart.js, d3-geo and the map): loaded when the page is first opened.
          return import('./pages/dashboard').then((m) => m.dashboardPage(main, route.appId));
        case 'keys':
          return keysPage(main, route.appId);
        case 'users':
          return route.userId ? userPage(main, route.appId, route.userId) : usersPage(main, route.appId);
        case 'auth-configs':
          return authConfigsPage(main, route.appId);
        case 'events':
          return eventsPage(main, route.appId);
        case 'playground':
          return playgroundPage(main, route.appId);
        case 'settings':
          return settingsPage(main, route.appId);
      }
  }
}

async function render(): Promise<void> {
  const route = parse(location.hash);
  const signedIn = bearer() !== null;
  if (!route) return go(signedIn ? { page: 'apps' } : { page: 'signin' });
  if (!signedIn && !PUBLIC.includes(route.page)) return go({ page: 'signin' });
  if (signedIn && route.page === 'signin') return go({ page: 'apps' });
  if (route.page === 'app') setLastApp(route.appId);
  const main = shell(root, route);
  try {
    await page(main, route);
  } catch (error) {
    failed(main, error);
  }
}

window.addEventListener('hashchange', () => void render());
// A stored session may have ended since: check it (a 401 goes to sign-in) and refresh who we are.
if (bearer()) {
  api.whoAmI().then(({ admin }) => admin && rememberAdmin(admin)).catch(() => undefined);
}
void render();
