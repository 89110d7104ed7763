// The sign-in page (#/signin): a passkey by email or discoverable, or a sign-in link by email.
import { api, describe } from '../api';
import { busy, h, replace, status } from '../dom';
import { signInWithDiscoverable, signInWithEmail } from '../passkeys';
import { go } from '../router';
import { saveSession, takeNotice } from '../session';
import { forgetApps } from '../state';
import { heading } from './common';

export function signInPage(main: HTMLElement): void {
  const notice = takeNotice();
  const note = status();
  const email = h('input', { type: 'email', id: 'email', name: 'email', required: true, autocomplete: 'username webauthn', placeholder: 'you@example.com' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const discoverable = h('button', { type: 'button' }, 'Sign in with a passkey');
  const forgot = h('button', { type: 'button', class: 'link' }, 'Forgot? Email me a sign-in link');

  const finish = async (ceremony: () => Promise<string>, hint = '') => {
    note.show('info', 'Waiting for your passkey…');
    try {
      saveSession(await api.openSession(await ceremony()));
      forgetApps();
      go({ page: 'apps' });
    } catch (error) {
      note.show('error', describe(error), hint);
    }
  };

  const form = h('form', { class: 'card narrow' },
    h('label', { for: 'email' }, 'Email'),
    email,
    h('div', { class: 'row' }, submit, forgot));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const hint = ' Check the address, or use “Sign in with a passkey”.';
    void busy(submit, () => finish(() => signInWithEmail(email.value.trim()), hint));
  });
  discoverable.addEventListener('click', () => busy(discoverable, () => finish(signInWithDiscoverable)));
  forgot.addEventListener('click', () =>
    busy(forgot, async () => {
      const address = email.value.trim();
      if (!address || !email.checkValidity()) {
        note.show('error', 'Enter your email address above first.');
        email.focus();
        return;
      }
      try {
        await api.recover(address);
        note.show('ok', 'If that address belongs to an admin, a link is on its way.');
      } catch (error) {
        note.show('error', describe(error));
      }
    }),
  );

  replace(main, heading('Sign in'),
    notice ? h('p', { class: 'status info narrow' }, notice) : null,
    form,
    h('div', { class: 'card narrow' },
      h('p', null, 'Or let your browser pick one of your console passkeys on this device:'),
      discoverable),
    h('div', { class: 'narrow' }, note));
  email.focus();
}
