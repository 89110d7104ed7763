// The recovery page (#/recover/<token>): signs in once with an emailed link, then offers to
// register a new passkey on this device.
import { api, describe } from '../api';
import { busy, h, replace, status } from '../dom';
import { registerPasskey } from '../passkeys';
import { go, href } from '../router';
import { saveSession } from '../session';
import { forgetApps } from '../state';
import { heading } from './common';

export async function recoverPage(main: HTMLElement, token: string): Promise<void> {
  replace(main, heading('Sign-in link'), h('p', null, 'Signing you in…'));
  try {
    const signedIn = await api.openSession(token);
    saveSession(signedIn);
    forgetApps();
    // The link is single-use: drop it from the address bar, so a reload opens the apps.
    history.replaceState(null, '', href({ page: 'apps' }));
    replace(main, heading('Signed in'), ...registerOffer(signedIn.admin.email));
  } catch (error) {
    replace(main, heading('Sign-in link'),
      h('div', { class: 'status error', role: 'alert' }, describe(error)),
      h('p', null, 'Sign-in links work once and for 15 minutes. ',
        h('a', { href: href({ page: 'signin' }) }, 'Go to sign-in'), ' to ask for a new one.'));
  }
}

function registerOffer(email: string): HTMLElement[] {
  const note = status();
  const button = h('button', { type: 'button', class: 'primary' }, 'Register a passkey on this device');
  button.addEventListener('click', () =>
    busy(button, async () => {
      note.show('info', 'Waiting for your passkey…');
      try {
        await registerPasskey((await api.registerToken()).token);
        button.hidden = true;
        note.show('ok', 'Passkey registered. Sign in with it from now on.');
      } catch (error) {
        note.show('error', describe(error));
      }
    }),
  );
  return [
    h('p', null, `You are signed in as ${email} for this session. Register a passkey so you can sign in without a link next time.`),
    h('div', { class: 'row' }, button, h('button', { type: 'button', onclick: () => go({ page: 'apps' }) }, 'Go to your apps')),
    note,
  ];
}
