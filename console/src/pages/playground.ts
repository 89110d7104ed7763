// The Playground page (#/apps/<appId>/playground): passkeys against this app as its own site
// would use them — register (with a register token the admin's secret key mints), sign in by
// alias, discoverable or autofill, and step up — each token verified and shown.
import { api, describe } from '../api';
import { busy, h, replace } from '../dom';
import { appHref } from '../router';
import { appLink } from '../playground';
import type { ListedKey } from '../types';
import { PRESETS } from './authconfigs';
import { failed, heading } from './common';
import { resultPanel } from './playground-result';

export async function playgroundPage(main: HTMLElement, appId: string): Promise<void> {
  replace(main, heading(`Playground of ${appId}`), h('p', null, 'Loading…'));
  let keys: ListedKey[];
  let apiUrl: string;
  let purposes: string[];
  try {
    [keys, apiUrl, purposes] = await Promise.all([
      api.keys(appId),
      api.config().then((c) => c.apiUrl),
      api.authConfigs(appId).then((list) => list.map((c) => c.purpose)).catch(() => PRESETS),
    ]);
  } catch (error) {
    failed(main, error);
    return;
  }
  keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const publicKey = keys.find((k) => k.type === 1 && !k.isLocked)?.apiKey;
  if (!publicKey) {
    replace(main, heading(`Playground of ${appId}`),
      h('div', { class: 'status error', role: 'alert' }, 'This app has no unlocked public key, which the browser client needs. Create or unlock one on ',
        h('a', { href: appHref(appId, 'keys') }, 'API keys'), '.'));
    return;
  }

  const link = appLink(apiUrl, publicKey);
  // Leaving the page ends a pending ceremony (an autofill sign-in waits until then).
  window.addEventListener('hashchange', () => link.client.abort(), { once: true });

  // The secret key lives only in this input (and is read from it at each call).
  const secret = h('input', { type: 'password', id: 'pg-secret', autocomplete: 'off', spellcheck: 'false', placeholder: `${appId}:secret:…` });
  const secretValue = () => secret.value.trim();
  const stepUser = h('input', { id: 'pg-step-user', autocomplete: 'off', placeholder: 'Sign in first, or type a user ID' });
  const panel = resultPanel(link, secretValue, (v) => {
    if (v.userId) stepUser.value = v.userId;
  });

  replace(main,
    heading(`Playground of ${appId}`),
    h('p', { class: 'hint' }, 'Try passkeys against this app exactly as your site would: this page plays your web page (the official browser client with the app’s public key) and your backend (the secret key). The users and passkeys it makes are real users of this app.'),
    keysCard(appId, keys, publicKey, apiUrl, secret),
    h('div', { class: 'two' }, registerCard(), signInCard()),
    stepUpCard(),
    panel.section);

  function registerCard(): HTMLElement {
    const userId = h('input', { id: 'pg-user-id', autocomplete: 'off', value: `user-${Math.random().toString(36).slice(2, 8)}` });
    const username = h('input', { id: 'pg-username', autocomplete: 'off', placeholder: 'alice@example.com' });
    const nickname = h('input', { id: 'pg-nickname', autocomplete: 'off', value: 'Playground' });
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Register a passkey');
    const form = h('form', { class: 'card', 'aria-label': 'Register' },
      h('h2', null, 'Register'),
      h('p', { class: 'hint' }, 'Your backend asks for a register token (POST /register/token with the secret key); the browser makes the passkey with it. The username is also the user’s alias.'),
      h('label', { for: 'pg-user-id' }, 'User ID'), userId,
      h('label', { for: 'pg-username' }, 'Username'), username,
      h('label', { for: 'pg-nickname' }, 'Passkey nickname'), nickname,
      h('div', { class: 'row' }, submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const key = secretValue();
      if (!key) return panel.refuse('Register: a register token needs the app’s secret key. Paste or reveal one above first.');
      void busy(submit, () => panel.run('Register', async () => {
        const token = await link.registerToken(key, userId.value.trim(), username.value.trim());
        return link.client.register(token, nickname.value.trim());
      }, 'creating a register token, then waiting for the passkey…'));
    });
    return form;
  }

  function signInCard(): HTMLElement {
    const alias = h('input', { id: 'pg-alias', autocomplete: 'off', placeholder: 'alice@example.com' });
    const byAlias = h('button', { type: 'submit', class: 'primary' }, 'Sign in with alias');
    const discoverable = h('button', { type: 'button' }, 'Sign in with a discoverable passkey');
    const field = h('input', { id: 'pg-autofill', name: 'username', autocomplete: 'username webauthn', placeholder: 'Click here for your passkeys' });
    const autofill = h('button', { type: 'button' }, 'Start autofill sign-in');
    const form = h('form', null,
      h('label', { for: 'pg-alias' }, 'Alias'), alias,
      h('div', { class: 'row' }, byAlias, discoverable));
    // The autofill field is outside the form: Enter in it must not start a sign-in by alias.
    const card = h('section', { class: 'card', 'aria-label': 'Sign in' },
      h('h2', null, 'Sign in'),
      form,
      h('label', { for: 'pg-autofill' }, 'Autofill'),
      h('p', { class: 'hint' }, 'Start it, then pick a passkey from this field’s suggestions (conditional UI).'),
      h('div', { class: 'row' }, field, autofill));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const name = alias.value.trim();
      if (!name) return panel.refuse('Sign in by alias: enter the alias (the username it registered with).');
      void busy(byAlias, () => panel.run('Sign in by alias', () => link.client.signinWithAlias(name)));
    });
    discoverable.addEventListener('click', () =>
      busy(discoverable, () => panel.run('Discoverable sign-in', () => link.client.signinWithDiscoverable())));
    autofill.addEventListener('click', () => {
      field.focus();
      void panel.run('Autofill sign-in', () => link.client.signinWithAutofill(), 'pick a passkey from the field’s suggestions…');
    });
    return card;
  }

  function stepUpCard(): HTMLElement {
    const purpose = h('select', { id: 'pg-purpose' }, purposes.map((p) => h('option', { value: p }, p)));
    purpose.value = purposes.includes('step-up') ? 'step-up' : purposes[0] ?? '';
    const submit = h('button', { type: 'submit', class: 'primary' }, 'Step up');
    const form = h('form', { class: 'card', 'aria-label': 'Step-up' },
      h('h2', null, 'Step-up'),
      h('p', { class: 'hint' }, 'A fresh sign-in of a known user for one purpose (client.stepup): its token carries the purpose, and lives as long as the purpose’s configuration says (',
        h('a', { href: appHref(appId, 'auth-configs') }, 'Auth configs'), ').'),
      h('div', { class: 'two' },
        h('div', null, h('label', { for: 'pg-step-user' }, 'User ID'), stepUser),
        h('div', null, h('label', { for: 'pg-purpose' }, 'Purpose'), purpose)),
      h('div', { class: 'row' }, submit));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const userId = stepUser.value.trim();
      if (!userId) return panel.refuse('Step-up: enter the user ID (signing in first fills it in).');
      void busy(submit, () => panel.run(`Step-up for ${purpose.value}`,
        () => link.client.stepup({ signinMethod: { userId }, purpose: purpose.value })));
    });
    return form;
  }
}

/** The keys the page plays with: the public key in use, and the secret key (memory only). */
function keysCard(appId: string, keys: ListedKey[], publicKey: string, apiUrl: string, secret: HTMLInputElement): HTMLElement {
  const note = h('div');
  const viewable = keys.filter((k) => k.type === 2 && !k.isLocked && k.viewableUntil);
  const pick = viewable.find((k) => k.scopes.length !== 1) ?? viewable[0];
  const reveal = pick ? h('button', { type: 'button' }, 'Use a revealed secret key') : null;
  reveal?.addEventListener('click', () =>
    busy(reveal, async () => {
      try {
        secret.value = (await api.revealKey(appId, pick.id)).apiKey;
        replace(note, h('p', { class: 'status ok' }, `Using the secret key ${pick.apiKey} (revealed, kept in this page only).`));
      } catch (error) {
        replace(note, h('p', { class: 'status error', role: 'alert' }, describe(error)));
      }
    }));
  return h('section', { class: 'card', 'aria-label': 'Keys' },
    h('h2', null, 'Keys'),
    h('p', null, 'Public key (the browser client): ', h('code', { class: 'key', 'data-testid': 'pg-public-key' }, publicKey),
      h('span', { class: 'hint' }, ` — API URL ${apiUrl}`)),
    h('label', { for: 'pg-secret' }, 'Secret key (your backend’s)'),
    h('div', { class: 'row' }, secret, reveal),
    h('p', { class: 'hint', 'data-testid': 'secret-notice' },
      'The secret key stays in this page’s memory: it is not stored (no cookie, no storage) and is forgotten when you leave the page. ',
      'It goes only to this app’s API, in the ApiSecret header of POST /register/token and POST /signin/verify — the two calls your backend makes. ',
      pick ? null : 'No secret key of this app can be revealed any more (7 days after creation): paste one you stored.'),
    note);
}
