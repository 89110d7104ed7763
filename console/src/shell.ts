// The frame around every page: the header (signed-in admin, Sign out) and the navigation
// (Apps, the app switcher, and the pages of the current app).
import { api } from './api';
import { h, replace } from './dom';
import { appHref, go, href, type AppTab, type Route } from './router';
import { clearSession, currentAdmin } from './session';
import { forgetApps, lastApp, loadApps } from './state';

const TAB_NAMES: [AppTab, string][] = [
  ['start', 'Get started'],
  ['dashboard', 'Dashboard'],
  ['keys', 'API keys'],
  ['users', 'Users'],
  ['auth-configs', 'Auth configs'],
  ['events', 'Event log'],
  ['playground', 'Playground'],
  ['settings', 'Settings'],
];

/** Draws the frame for `route` into `root`; gives the element the page draws into. */
export function shell(root: HTMLElement, route: Route): HTMLElement {
  const main = h('main', { id: 'page' });
  const admin = currentAdmin();
  const signedInPage = route.page === 'apps' || route.page === 'app' || route.page === 'org';
  const header = h('header', { class: 'top' },
    h('a', { class: 'brand', href: signedInPage ? href({ page: 'apps' }) : href({ page: 'signin' }) }, 'Ferrokey console'),
    signedInPage && admin
      ? h('div', { class: 'who' },
          h('span', { class: 'email', 'data-testid': 'admin-email' }, admin.email),
          h('span', { class: 'org', title: 'Organization' }, admin.org),
          h('button', { type: 'button', class: 'small', onclick: signOut }, 'Sign out'))
      : null,
  );
  replace(root, header, signedInPage ? nav(route) : null, main);
  return main;
}

async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } catch {
    /* the session is forgotten here either way */
  }
  clearSession();
  forgetApps();
  go({ page: 'signin' });
}

function nav(route: Route): HTMLElement {
  const appId = route.page === 'app' ? route.appId : lastApp();
  const tab = route.page === 'app' ? route.tab : null;
  const link = (to: string, text: string, current: boolean) =>
    h('a', { href: to, 'aria-current': current ? 'page' : null }, text);

  const switcher = h('select', { 'aria-label': 'Switch app', hidden: true });
  switcher.addEventListener('change', () => {
    if (switcher.value) location.hash = appHref(switcher.value, tab ?? 'start');
  });
  loadApps()
    .then((apps) => {
      if (!apps.length) return;
      replace(switcher,
        appId ? null : h('option', { value: '' }, 'Choose an app…'),
        apps.map((a) => h('option', { value: a.appId }, a.appId)));
      switcher.value = appId && apps.some((a) => a.appId === appId) ? appId : '';
      switcher.hidden = false;
    })
    .catch(() => {
      /* the switcher stays hidden; the page shows the error of its own calls */
    });

  return h('nav', { class: 'main' },
    h('div', { class: 'org-links' },
      link(href({ page: 'apps' }), 'Apps', route.page === 'apps'),
      link(href({ page: 'org' }), 'Organization', route.page === 'org')),
    appId
      ? h('div', { class: 'app-links' },
          switcher,
          TAB_NAMES.map(([t, name]) => link(appHref(appId, t), name, tab === t)))
      : h('div', { class: 'app-links' }, switcher),
  );
}
