// The Playground's result panel: runs one ceremony at a time through the official client,
// verifies its token with the secret key (as the app's backend would), and shows what the
// verified token says.
import type { Result, TokenResponse } from '@passwordlessdev/passwordless-client';
import { describe } from '../api';
import { h, replace, status } from '../dom';
import { when, yesNo } from '../format';
import { tokenOf } from '../passkeys';
import type { AppLink } from '../playground';
import type { VerifiedToken } from '../types';

export interface ResultPanel {
  section: HTMLElement;
  /** Runs `ceremony` (labelled for the admin), then verifies its token and shows the result. */
  run(label: string, ceremony: () => Promise<Result<TokenResponse>>, waiting?: string): Promise<void>;
  /** Shows a problem that came before any ceremony (a missing secret, say). */
  refuse(message: string): void;
}

/** The verified token's fields, in the order they are shown. */
const FIELDS: [keyof VerifiedToken, string][] = [
  ['userId', 'User ID'],
  ['success', 'Success'],
  ['type', 'Type'],
  ['purpose', 'Purpose'],
  ['timestamp', 'Timestamp'],
  ['expiresAt', 'Expires at'],
  ['rpId', 'RP ID'],
  ['origin', 'Origin'],
  ['device', 'Device'],
  ['country', 'Country'],
  ['nickname', 'Nickname'],
  ['credentialId', 'Credential ID'],
  ['tokenId', 'Token ID'],
];

/** `onVerified` hears every verified token (the page fills the step-up's user from it). */
export function resultPanel(link: AppLink, secret: () => string, onVerified: (v: VerifiedToken) => void): ResultPanel {
  const note = status();
  const fields = h('div', { 'data-testid': 'verified' }, h('p', { class: 'empty' }, 'Register or sign in above: the verified token shows here.'));
  const section = h('section', { class: 'card', 'aria-label': 'Result' }, h('h2', null, 'Result'), note, fields);
  // A later ceremony supersedes an earlier one (the client aborts a pending autofill): only the
  // latest may report.
  let current = 0;

  async function run(label: string, ceremony: () => Promise<Result<TokenResponse>>, waiting = 'waiting for the passkey…'): Promise<void> {
    const id = ++current;
    note.show('info', `${label}: ${waiting}`);
    try {
      const token = tokenOf(await ceremony());
      if (id !== current) return;
      const key = secret();
      if (!key) {
        note.show('warn', `${label}: the browser got a verify token, but without a secret key it cannot be verified: `,
          h('code', { class: 'key' }, token));
        return;
      }
      note.show('info', `${label}: verifying the token with the secret key…`);
      const verified = await link.verify(key, token);
      if (id !== current) return;
      replace(fields, verifiedList(verified));
      note.show(verified.success ? 'ok' : 'error', `${label}: the token was verified${verified.success ? '' : ', but it says success: false'}.`);
      onVerified(verified);
      section.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      if (id === current) note.show('error', `${label}: ${describe(error)}`);
    }
  }

  function refuse(message: string): void {
    current++;
    note.show('error', message);
  }

  return { section, run, refuse };
}

function verifiedList(v: VerifiedToken): HTMLElement {
  const shown = (key: keyof VerifiedToken): string => {
    const value = v[key];
    if (key === 'success') return yesNo(value as boolean);
    if (key === 'timestamp' || key === 'expiresAt') return `${when(value as string, true)} (${value})`;
    return value === null || value === undefined || value === '' ? '—' : String(value);
  };
  return h('dl', { class: 'fields' },
    FIELDS.map(([key, name]) => [h('dt', null, name), h('dd', { 'data-field': key }, shown(key))]));
}
