// The apps page (#/apps): the organization's apps, and creating one with its id checked for
// availability as it is typed.
import { api, ApiError, describe } from '../api';
import { busy, h, replace, stacked, status } from '../dom';
import { when } from '../format';
import { appHref, go } from '../router';
import { loadApps, rememberCreated, takeFlash } from '../state';
import type { ListedApp } from '../types';
import { failed, heading } from './common';

const CHECK_DELAY_MS = 300;

export async function appsPage(main: HTMLElement): Promise<void> {
  const flash = takeFlash();
  const notice = flash ? h('p', { class: 'status ok', role: 'status' }, flash) : null;
  replace(main, heading('Apps'), notice, h('p', null, 'Loading…'));
  let apps: ListedApp[];
  try {
    apps = await loadApps(true);
  } catch (error) {
    failed(main, error);
    return;
  }
  replace(main, heading('Apps'), notice, appList(apps), createForm());
}

function appList(apps: ListedApp[]): HTMLElement {
  if (!apps.length) return h('p', { class: 'empty' }, 'No apps yet. Create your first one below.');
  return stacked(h('table', { class: 'list' },
    h('thead', null, h('tr', null, h('th', null, 'App ID'), h('th', null, 'Created'), h('th', { class: 'num' }, 'Users with passkeys'), h('th', null, 'Status'))),
    h('tbody', null, apps.map((a) =>
      h('tr', null,
        h('td', null, h('a', { href: appHref(a.appId, 'start') }, a.appId)),
        h('td', null, when(a.createdAt)),
        h('td', { class: 'num' }, a.usersWithPasskeys),
        h('td', null, a.deleteAt
          ? h('span', { class: 'badge warn', title: `Deleted on ${when(a.deleteAt)}` }, `Deletion scheduled (${when(a.deleteAt)})`)
          : h('span', { class: 'badge' }, 'Active')))))));
}

function createForm(): HTMLElement {
  const input = h('input', { id: 'new-app', name: 'appId', autocomplete: 'off', spellcheck: 'false', placeholder: 'myshop', maxlength: 50 });
  const availability = status();
  const note = status();
  const submit = h('button', { type: 'submit', class: 'primary', disabled: true }, 'Create app');
  let timer: number | undefined;
  let asked = '';

  const check = async (appId: string) => {
    asked = appId;
    try {
      const { available } = await api.available(appId);
      if (asked !== appId) return; // a later keystroke asked since
      submit.disabled = !available;
      availability.show(available ? 'ok' : 'error', available ? `“${appId}” is available.` : `“${appId}” is taken. Pick another ID.`);
    } catch (error) {
      if (asked !== appId) return;
      submit.disabled = true;
      availability.show('error', describe(error));
    }
  };

  input.addEventListener('input', () => {
    const appId = input.value.trim();
    submit.disabled = true;
    note.clear();
    window.clearTimeout(timer);
    if (!appId) {
      asked = '';
      availability.clear();
      return;
    }
    availability.show('info', 'Checking…');
    timer = window.setTimeout(() => void check(appId), CHECK_DELAY_MS);
  });

  const form = h('form', { class: 'card' },
    h('h2', null, 'Create an app'),
    h('label', { for: 'new-app' }, 'App ID'),
    h('p', { class: 'hint' }, '3–50 characters: lowercase letters and digits, starting with a letter. It cannot be changed later.'),
    h('div', { class: 'row' }, input, submit),
    availability,
    note);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const appId = input.value.trim();
    void busy(submit, async () => {
      try {
        const keys = await api.createApp(appId);
        rememberCreated(appId, keys);
        await loadApps(true).catch(() => undefined);
        go({ page: 'app', appId, tab: 'start' });
      } catch (error) {
        note.show('error', describe(error));
        if (error instanceof ApiError && error.errorCode === 'app_exists') availability.clear();
      }
    });
  });
  return form;
}
