// The users pages: #/apps/<appId>/users lists and searches an app's users page by page;
// #/apps/<appId>/users/<userId> shows one user's aliases and passkeys, and deletes them.
import { api, describe } from '../api';
import { busy, h, replace, stacked, status, type Child, type Status } from '../dom';
import { when, yesNo } from '../format';
import { appHref, go } from '../router';
import type { Credential, UserSummary } from '../types';
import { confirmed, failed, heading } from './common';

const PAGE_SIZE = 20;
const HASHED_WHY =
  'This alias was stored hashed (the app set it with hashing on), so Ferrokey keeps only its hash: ' +
  'it still signs the user in, but cannot be shown.';

/** An alias, or "hidden (hashed)" with the reason as its tooltip. */
function alias(value: string | null): HTMLElement {
  return value === null
    ? h('span', { class: 'hashed', title: HASHED_WHY, tabindex: 0 }, 'hidden (hashed)')
    : h('span', { class: 'alias' }, value);
}

function aliasList(values: (string | null)[]): Child {
  if (!values.length) return h('span', { class: 'hint' }, 'none');
  return values.map((v, i) => [i ? ', ' : null, alias(v)]);
}

export async function usersPage(main: HTMLElement, appId: string): Promise<void> {
  const search = h('input', { type: 'search', id: 'user-search', name: 'search', placeholder: 'User ID or alias starts with…', autocomplete: 'off' });
  const results = h('div', null, h('p', null, 'Loading…'));
  const form = h('form', { class: 'row search', role: 'search' },
    h('label', { for: 'user-search', class: 'sr-only' }, 'Search users'),
    search, h('button', { type: 'submit' }, 'Search'));
  replace(main, heading(`Users of ${appId}`), form, results);

  // Cursors of the pages before this one, so "Previous page" can go back.
  let cursors: (string | null)[] = [];
  let cursor: string | null = null;

  async function show(): Promise<void> {
    try {
      const page = await api.users(appId, search.value.trim(), cursor, PAGE_SIZE);
      const next = page.nextCursor;
      replace(results,
        userTable(appId, page.users, search.value.trim() !== ''),
        h('div', { class: 'row pager' },
          cursors.length ? h('button', { type: 'button', onclick: () => { cursor = cursors.pop() ?? null; void show(); } }, 'Previous page') : null,
          next ? h('button', { type: 'button', onclick: () => { cursors.push(cursor); cursor = next; void show(); } }, 'Next page') : null));
    } catch (error) {
      failed(results, error);
    }
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursors = [];
    cursor = null;
    void show();
  });
  await show();
}

function userTable(appId: string, users: UserSummary[], searching: boolean): HTMLElement {
  if (!users.length) return h('p', { class: 'empty' }, searching ? 'No user matches.' : 'This app has no users yet.');
  return stacked(h('table', { class: 'list' },
    h('thead', null, h('tr', null, h('th', null, 'User ID'), h('th', null, 'Aliases'), h('th', { class: 'num' }, 'Passkeys'), h('th', null, 'Last used'))),
    h('tbody', null, users.map((u) =>
      h('tr', null,
        h('td', null, h('a', { href: appHref(appId, 'users', u.userId) }, u.userId)),
        h('td', null, aliasList(u.aliases)),
        h('td', { class: 'num' }, u.credentialsCount),
        h('td', null, when(u.lastUsedAt)))))));
}

/** One user; `done` is a message to show (after a deletion reloaded the page). */
export async function userPage(main: HTMLElement, appId: string, userId: string, done?: string): Promise<void> {
  const back = h('p', null, h('a', { href: appHref(appId, 'users') }, '← All users'));
  const note = status();
  if (!done) replace(main, back, heading(`User ${userId}`), h('p', null, 'Loading…'));
  try {
    const user = await api.user(appId, userId);
    const removeUser = h('button', { type: 'button', class: 'danger' }, 'Delete user');
    removeUser.addEventListener('click', () =>
      busy(removeUser, async () => {
        if (!confirmed(`Delete the user ${userId} with all their passkeys and aliases? This cannot be undone.`)) return;
        try {
          await api.deleteUser(appId, userId);
          go({ page: 'app', appId, tab: 'users' });
        } catch (error) {
          note.show('error', describe(error));
        }
      }));
    replace(main, back, heading(`User ${userId}`),
      note,
      h('section', { class: 'card' }, h('h2', null, 'Aliases'), h('p', null, aliasList(user.aliases))),
      h('section', { class: 'card' },
        h('h2', null, `Passkeys (${user.credentials.length})`),
        user.credentials.length
          ? user.credentials.map((c) => credentialCard(appId, c, note, (message) => userPage(main, appId, userId, message)))
          : h('p', { class: 'empty' }, 'This user has no passkeys.')),
      h('section', { class: 'card danger-zone' }, h('h2', null, 'Delete'), removeUser));
    if (done) note.show('ok', done);
  } catch (error) {
    failed(main, error, back);
  }
}

function credentialCard(appId: string, c: Credential, note: Status, reload: (message: string) => Promise<void>): HTMLElement {
  const remove = h('button', { type: 'button', class: 'small danger' }, 'Delete passkey');
  remove.addEventListener('click', () =>
    busy(remove, async () => {
      if (!confirmed(`Delete the passkey “${c.nickname || c.descriptor.id}”? The user can no longer sign in with it.`)) return;
      try {
        await api.deleteCredential(appId, c.descriptor.id);
        await reload('Passkey deleted.');
      } catch (error) {
        note.show('error', describe(error));
      }
    }));
  const fields: [string, Child][] = [
    ['Provider', c.providerName ?? h('span', { class: 'hint', title: c.aaGuid ? `AAGUID ${c.aaGuid}` : undefined }, 'Unknown authenticator')],
    ['Nickname', c.nickname || '—'],
    ['Synced', `${yesNo(c.backupState)}${c.isBackupEligible ? '' : ' (not backup eligible)'}`],
    ['Discoverable', yesNo(c.isDiscoverable)],
    ['Signature counter', c.signatureCounter],
    ['RP ID', c.rpid],
    ['Origin', c.origin],
    ['Country', c.country || '—'],
    ['Device', c.device || '—'],
    ['Created', when(c.createdAt)],
    ['Last used', when(c.lastUsedAt)],
    ['AAGUID', c.aaGuid ?? '—'],
    ['Attestation', c.attestationFmt || '—'],
    ['Transports', c.descriptor.transports?.join(', ') || '—'],
    ['Credential ID', h('code', { class: 'key' }, c.descriptor.id)],
  ];
  return h('article', { class: 'credential' },
    h('div', { class: 'credential-head' },
      h('h3', null, c.nickname || c.providerName || 'Passkey'),
      remove),
    h('dl', null, fields.map(([name, value]) => [h('dt', null, name), h('dd', null, value)])));
}
