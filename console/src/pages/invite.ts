// The invitation page (#/invite/<code>): registers the invited admin's passkey and signs in.
import { api, describe } from '../api';
import { busy, h, replace, status } from '../dom';
import { registerPasskey } from '../passkeys';
import { go, href } from '../router';
import { saveSession } from '../session';
import { forgetApps } from '../state';
import { heading } from './common';

/** A register token from an accepted invitation is good for 15 minutes; ask again after 10. */
const TOKEN_FRESH_MS = 10 * 60 * 1000;

export async function invitePage(main: HTMLElement, code: string): Promise<void> {
  const note = status();
  const button = h('button', { type: 'button', class: 'primary' }, 'Register a passkey');
  let token: { value: string; at: number } | null = null;

  const accept = async () => {
    token = { value: (await api.acceptInvite(code)).token, at: Date.now() };
    return token.value;
  };
  const invalid = (error: unknown) =>
    replace(main, heading('Invitation'),
      h('div', { class: 'status error', role: 'alert' }, describe(error)),
      h('p', null, 'Already an admin? ', h('a', { href: href({ page: 'signin' }) }, 'Sign in'), '.'));

  replace(main, heading('Accept your invitation'),
    h('p', null, 'You were invited to the Ferrokey console. Register a passkey on this device to finish: ' +
      'your browser will ask you to confirm with your fingerprint, face, PIN or security key.'),
    button, note);

  // Check the invitation at once, so a used or expired link says so before any click.
  try {
    await accept();
  } catch (error) {
    invalid(error);
    return;
  }

  button.addEventListener('click', () =>
    busy(button, async () => {
      note.show('info', 'Waiting for your passkey…');
      try {
        const current: string = token && Date.now() - token.at < TOKEN_FRESH_MS ? token.value : await accept();
        token = null; // a register token serves one ceremony
        const verified = await registerPasskey(current);
        saveSession(await api.openSession(verified));
        forgetApps();
        go({ page: 'apps' });
      } catch (error) {
        note.show('error', describe(error));
      }
    }),
  );
}
