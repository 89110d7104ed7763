// The Get started page (#/apps/<appId>/start): the app's keys (just created, or revealed while
// still viewable), a download of them, and copy-ready snippets with them filled in.
import { api, describe } from '../api';
import { h, replace, copyButton } from '../dom';
import { keyType, when } from '../format';
import { appHref } from '../router';
import { browserSnippet, envFile, nodeSnippet, pythonSnippet, type SnippetValues } from '../snippets';
import { takeCreatedKeys } from '../state';
import type { ListedKey } from '../types';
import { failed, heading } from './common';

interface ShownKey {
  label: string;
  envName: string;
  type: 1 | 2;
  /** The full key; `null` when it can no longer be viewed. */
  value: string | null;
  masked: string;
  locked: boolean;
  scopes: string[];
}

export const KEYS_NOTICE = 'These keys are shown for 7 days after creation; store them now.';

export async function startPage(main: HTMLElement, appId: string): Promise<void> {
  replace(main, heading(`Get started with ${appId}`), h('p', null, 'Loading…'));
  let keys: ShownKey[];
  let apiUrl: string;
  let viewableUntil: string | null = null;
  try {
    apiUrl = (await api.config()).apiUrl;
    const fresh = takeCreatedKeys(appId);
    if (fresh) {
      keys = [
        shown('Public key 1', 'FERROKEY_API_KEY', 1, fresh.apiKey1),
        shown('Public key 2', 'FERROKEY_API_KEY_2', 1, fresh.apiKey2),
        shown('Secret key 1', 'FERROKEY_API_SECRET', 2, fresh.apiSecret1),
        shown('Secret key 2', 'FERROKEY_API_SECRET_2', 2, fresh.apiSecret2),
      ];
    } else {
      const listed = (await api.keys(appId)).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.type - b.type);
      keys = await revealAll(appId, listed);
      viewableUntil = listed.map((k) => k.viewableUntil).filter((v): v is string => !!v).sort()[0] ?? null;
    }
  } catch (error) {
    failed(main, error);
    return;
  }

  const publicKey = keys.find((k) => k.type === 1 && !k.locked && k.value)?.value;
  const secrets = keys.filter((k) => k.type === 2 && !k.locked && k.value);
  const secret = (secrets.find((k) => k.scopes.length !== 1) ?? secrets[0])?.value;
  const values: SnippetValues = {
    apiUrl,
    apiKey: publicKey ?? '<your public key>',
    apiSecret: secret ?? '<your secret key>',
  };
  const viewable = keys.filter((k) => k.value);
  const hidden = keys.some((k) => !k.value);

  replace(main,
    heading(`Get started with ${appId}`),
    h('section', { class: 'card' },
      h('h2', null, 'Your keys'),
      viewable.length
        ? h('div', { class: 'status warn', role: 'note' },
            h('strong', null, KEYS_NOTICE),
            viewableUntil ? ` They can be viewed until ${when(viewableUntil)}.` : null)
        : null,
      hidden
        ? h('p', { class: 'hint' }, 'Secret keys older than 7 days can no longer be shown. If you lost one, create a new secret key on the ',
            h('a', { href: appHref(appId, 'keys') }, 'API keys'), ' page and lock the old one.')
        : null,
      h('p', { class: 'hint' }, 'Public keys go in your web page; secret keys stay on your server.'),
      keyTable(keys),
      viewable.length
        ? h('p', null, h('button', { type: 'button', class: 'primary', onclick: () => download(appId, apiUrl, viewable) }, 'Download keys'))
        : null),
    h('section', { class: 'card' },
      h('h2', null, 'Add passkeys to your site'),
      h('p', null, 'Your API URL: ', h('code', null, apiUrl)),
      snippet('1. In the browser', browserSnippet(values)),
      snippet('2. On your server — Python (passwordless)', pythonSnippet(values)),
      snippet('2. On your server — Node (@passwordlessdev/passwordless-nodejs)', nodeSnippet(values))),
  );
}

function shown(label: string, envName: string, type: 1 | 2, value: string, scopes: string[] = []): ShownKey {
  return { label, envName, type, value, masked: value, locked: false, scopes };
}

/** Every listed key in full where it still can be: public keys as listed, secrets revealed. */
async function revealAll(appId: string, listed: ListedKey[]): Promise<ShownKey[]> {
  const counts = { 1: 0, 2: 0 };
  return Promise.all(listed.map(async (k) => {
    const n = ++counts[k.type];
    const base = k.type === 1 ? 'FERROKEY_API_KEY' : 'FERROKEY_API_SECRET';
    const key: ShownKey = {
      label: `${keyType(k.type)} key ${n}${k.isLocked ? ' (locked)' : ''}`,
      envName: n === 1 ? base : `${base}_${n}`,
      type: k.type,
      value: k.type === 1 ? k.apiKey : null,
      masked: k.apiKey,
      locked: k.isLocked,
      scopes: k.scopes,
    };
    if (k.type === 2 && k.viewableUntil) {
      try {
        key.value = (await api.revealKey(appId, k.id)).apiKey;
      } catch (error) {
        key.masked = `${k.apiKey} (${describe(error)})`;
      }
    }
    return key;
  }));
}

function keyTable(keys: ShownKey[]): HTMLElement {
  return h('table', { class: 'list keys' },
    h('tbody', null, keys.map((k) =>
      h('tr', null,
        h('th', { scope: 'row' }, k.label),
        h('td', null, h('code', { class: 'key' }, k.value ?? k.masked)),
        h('td', null, k.value ? copyButton(() => k.value ?? '') : h('span', { class: 'hint' }, 'no longer viewable'))))));
}

function snippet(title: string, code: string): HTMLElement {
  return h('div', { class: 'snippet' },
    h('div', { class: 'snippet-head' }, h('h3', null, title), copyButton(() => code, 'Copy code')),
    // It scrolls sideways when its lines are longer than the page: focusable, so the keyboard can scroll it.
    h('pre', { tabindex: 0 }, h('code', null, code)));
}

function download(appId: string, apiUrl: string, keys: ShownKey[]): void {
  const text = envFile(appId, apiUrl, keys.map((k) => ({ name: k.envName, value: k.value ?? '' })));
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = h('a', { href: url, download: `${appId}-keys.env` });
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
