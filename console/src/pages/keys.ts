// The API keys page (#/apps/<appId>/keys): the app's keys; create public or secret keys with
// chosen scopes; reveal within 7 days; lock, unlock, and delete locked keys.
import { api, describe } from '../api';
import { busy, copyButton, h, replace, stacked, status, type Status } from '../dom';
import { keyType, when } from '../format';
import type { ListedKey } from '../types';
import { confirmed, failed, heading } from './common';

const SCOPES = {
  public: [
    ['register', 'register — start passkey registrations'],
    ['login', 'login — start sign-ins'],
  ],
  secret: [
    ['token_register', 'token_register — create register tokens'],
    ['token_verify', 'token_verify — verify sign-in tokens'],
  ],
} as const;

export async function keysPage(main: HTMLElement, appId: string): Promise<void> {
  const note = status();
  const table = h('div', null, h('p', null, 'Loading…'));
  replace(main, heading(`API keys of ${appId}`), note, table,
    h('div', { class: 'two' }, createForm(appId, 'public', note, reload), createForm(appId, 'secret', note, reload)));

  async function reload(): Promise<void> {
    try {
      const keys = (await api.keys(appId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.type - b.type);
      replace(table, keyTable(appId, keys, note, reload));
    } catch (error) {
      failed(table, error);
    }
  }
  await reload();
}

function keyTable(appId: string, keys: ListedKey[], note: Status, reload: () => Promise<void>): HTMLElement {
  if (!keys.length) return h('p', { class: 'empty' }, 'This app has no keys.');
  return stacked(h('table', { class: 'list' },
    h('thead', null, h('tr', null,
      h('th', null, 'Key'), h('th', null, 'Type'), h('th', null, 'Scopes'), h('th', null, 'Created'),
      h('th', null, 'Status'), h('th', null, h('span', { class: 'sr-only' }, 'Actions')))),
    h('tbody', null, keys.map((k) => keyRow(appId, k, note, reload)))));
}

function keyRow(appId: string, k: ListedKey, note: Status, reload: () => Promise<void>): HTMLElement {
  const keyCell = h('td', null, h('code', { class: 'key' }, k.apiKey));
  /** A button running `work` (which gives `false` when the admin cancelled), then reloading. */
  const act = (label: string, work: () => Promise<void | false>, done: string, cls = 'small') => {
    const button = h('button', { type: 'button', class: cls }, label);
    button.addEventListener('click', () =>
      busy(button, async () => {
        try {
          if ((await work()) === false) return;
          note.show('ok', done);
          await reload();
        } catch (error) {
          note.show('error', describe(error));
        }
      }));
    return button;
  };

  const reveal = h('button', { type: 'button', class: 'small' }, 'Reveal');
  reveal.addEventListener('click', () =>
    busy(reveal, async () => {
      try {
        const { apiKey } = await api.revealKey(appId, k.id);
        replace(keyCell, h('code', { class: 'key' }, apiKey), ' ', copyButton(() => apiKey));
        reveal.hidden = true;
        note.clear();
      } catch (error) {
        note.show('error', describe(error));
      }
    }));

  const actions: HTMLElement[] = [];
  if (k.type === 2 && k.viewableUntil) {
    reveal.title = `Viewable until ${when(k.viewableUntil)}`;
    actions.push(reveal);
  } else {
    actions.push(copyButton(() => k.apiKey));
  }
  if (k.type === 2 && !k.viewableUntil) keyCell.title = 'Secret keys can be viewed for 7 days after creation.';
  if (k.isLocked) {
    actions.push(act('Unlock', () => api.unlockKey(appId, k.id), `Key ${k.id} unlocked.`));
    actions.push(act('Delete', async () => {
      if (!confirmed(`Delete the key ${k.apiKey}? Anything still using it stops working for good.`)) return false;
      await api.deleteKey(appId, k.id);
    }, `Key ${k.id} deleted.`, 'small danger'));
  } else {
    actions.push(act('Lock', () => api.lockKey(appId, k.id), `Key ${k.id} locked: requests with it are refused.`));
  }

  return h('tr', { 'data-key-id': k.id },
    keyCell,
    h('td', null, keyType(k.type)),
    h('td', null, k.scopes.join(', ')),
    h('td', null, when(k.createdAt)),
    h('td', null, k.isLocked
      ? h('span', { class: 'badge warn' }, `Locked since ${when(k.lastLockedAt)}`)
      : h('span', { class: 'badge' }, 'Active')),
    h('td', { class: 'actions' }, actions));
}

function createForm(appId: string, kind: 'public' | 'secret', note: Status, reload: () => Promise<void>): HTMLElement {
  const boxes = SCOPES[kind].map(([scope, label]) => {
    const box = h('input', { type: 'checkbox', name: 'scope', value: scope, checked: true });
    return { scope, box, label: h('label', { class: 'check' }, box, ' ', label) };
  });
  const submit = h('button', { type: 'submit' }, `Create ${kind} key`);
  const created = h('div');
  const form = h('form', { class: 'card' },
    h('h2', null, `New ${kind} key`),
    h('p', { class: 'hint' }, kind === 'public' ? 'For your web page (the browser client).' : 'For your server (the backend SDKs). Keep it secret.'),
    h('fieldset', null, h('legend', null, 'Scopes'), boxes.map((b) => b.label)),
    submit,
    created);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(submit, async () => {
      const scopes = boxes.filter((b) => b.box.checked).map((b) => b.scope);
      try {
        const { apiKey } = await api.createKey(appId, kind, scopes);
        replace(created, h('div', { class: 'status ok', role: 'status' },
          h('p', null, `New ${kind} key (it can be revealed for 7 days):`),
          h('code', { class: 'key' }, apiKey), ' ', copyButton(() => apiKey)));
        note.clear();
        await reload();
      } catch (error) {
        replace(created, h('div', { class: 'status error', role: 'alert' }, describe(error)));
      }
    });
  });
  return form;
}
