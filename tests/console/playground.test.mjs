// End to end, the console's Playground: with the app's secret key pasted (memory only), a
// user registers a passkey through the page, signs in by alias, discoverable and autofill,
// steps up for `step-up`, and each verified token's fields show. A real `ferrokey serve` and headless
// Chromium (harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptInvitation, createApp, eventually, hasAttribute, hasText, hasValue, rowOf, sees, shot, shownKey, start,
} from './harness.mjs';

let server, admin, tab, base;
const seen = {};

before(async () => {
  server = await start();
  base = server.base;
  admin = await server.newPage();
  await acceptInvitation(admin, server.inviteUrl);
  await createApp(admin, 'play1');
  seen.publicKeys = [await shownKey(admin, 'Public key 1'), await shownKey(admin, 'Public key 2')];
  seen.secret = await shownKey(admin, 'Secret key 1');
  seen.secret2 = await shownKey(admin, 'Secret key 2');
  // The Playground in a tab of its own (its own authenticator: the admin's console passkey,
  // also for localhost, would otherwise be offered to a discoverable sign-in too).
  tab = await server.openTab(admin, `${base}/console/#/apps/play1/playground`);
});

after(async () => {
  await server?.close();
});

const fieldOf = (name) => tab.locator(`[data-testid="verified"] dd[data-field="${name}"]`);
/** Waits until the verified token's field `name` reads `expected` (a string or a RegExp). */
const field = (name, expected) => hasText(fieldOf(name), expected, name);
/** The verified token's field `name` as shown now. */
const read = async (name) => (await fieldOf(name).textContent()).trim();
/** The virtual authenticator's passkeys once there are `n`. */
const passkeys = (n, message) => eventually(async () => assert.equal((await tab.passkeys()).length, n, message));

test('the Playground uses the app\'s public key and says the secret stays in the page', async () => {
  await sees(tab, 'Playground of play1');
  // One of the app's two (unlocked) public keys.
  await eventually(async () => assert.ok(seen.publicKeys.includes(await tab.getByTestId('pg-public-key').textContent({ timeout: 2_000 })), 'a public key of play1'));
  await hasText(tab.getByTestId('secret-notice'), /stays in this page’s memory: it is not stored/);
  // Without a secret key there is no register token.
  await tab.getByRole('button', { name: 'Register a passkey' }).click();
  await sees(tab, 'Register: a register token needs the app’s secret key.');
  // A wrong secret: the server's problem title.
  await tab.getByLabel('Secret key (your backend’s)').fill('play1:secret:00000000000000000000000000000000');
  await tab.getByLabel('Username').fill('nobody@play.test');
  await tab.getByRole('button', { name: 'Register a passkey' }).click();
  await sees(tab, 'Register: A valid \'ApiSecret\' header is required.');
  await passkeys(0, 'no passkey without a register token');
});

test('register a user through the page with the app\'s secret, then sign in by alias, discoverable and autofill', async () => {
  await tab.getByLabel('Secret key (your backend’s)').fill(seen.secret);
  await tab.getByLabel('User ID').first().fill('pg-alice');
  await tab.getByLabel('Username').fill('alice@play.test');
  await tab.getByLabel('Passkey nickname').fill('Playground laptop');
  await tab.getByRole('button', { name: 'Register a passkey' }).click();
  await sees(tab, 'Register: the token was verified.');
  await field('userId', 'pg-alice');
  await field('type', 'passkey_register');
  await field('success', 'Yes');
  await passkeys(1);

  await tab.getByLabel('Alias').fill('alice@play.test');
  await tab.getByRole('button', { name: 'Sign in with alias' }).click();
  await sees(tab, 'Sign in by alias: the token was verified.');
  await field('userId', 'pg-alice');
  await field('type', 'passkey_signin');
  await field('success', 'Yes');
  await field('rpId', 'localhost');
  await field('origin', base);
  await field('purpose', 'sign-in');
  await field('nickname', 'Playground laptop');
  await field('device', /Chrome/);
  await field('credentialId', /^[A-Za-z0-9+/=_-]{16,}$/);
  await field('timestamp', /\(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
  await field('expiresAt', /\(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
  for (const name of ['User ID', 'Success', 'Timestamp', 'RP ID', 'Origin', 'Device', 'Country', 'Credential ID', 'Purpose', 'Type', 'Expires at']) {
    await sees(tab.getByTestId('verified').locator('dt', { hasText: name }), name);
  }
  seen.credentialId = await read('credentialId');
  await field('tokenId', /\S/);
  const firstTokenId = await read('tokenId');

  await tab.getByRole('button', { name: 'Sign in with a discoverable passkey' }).click();
  await sees(tab, 'Discoverable sign-in: the token was verified.');
  await field('userId', 'pg-alice');
  await field('type', 'passkey_signin');
  await field('credentialId', seen.credentialId);
  await eventually(async () => assert.notEqual(await read('tokenId'), firstTokenId, 'a new token'));

  // Autofill (conditional mediation): the virtual authenticator answers the pending request
  // with its one passkey, as a person picking it from the field's suggestions would.
  await hasAttribute(tab.getByLabel('Autofill'), 'autocomplete', 'username webauthn');
  await tab.getByRole('button', { name: 'Start autofill sign-in' }).click();
  await sees(tab, 'Autofill sign-in: the token was verified.');
  await field('userId', 'pg-alice');
  await field('type', 'passkey_signin');
  await field('purpose', 'sign-in');
  await shot(tab, '14-playground');
});

test('a step-up for the purpose step-up, for the user just signed in', async () => {
  await hasValue(tab.getByLabel('User ID').last(), 'pg-alice', 'filled from the last verified token');
  await hasValue(tab.getByLabel('Purpose'), 'step-up');
  await tab.getByRole('button', { name: 'Step up' }).click();
  await sees(tab, 'Step-up for step-up: the token was verified.');
  await field('userId', 'pg-alice');
  await field('purpose', 'step-up');
  await field('type', 'passkey_signin');
  await field('success', 'Yes');
});

test('the secret was kept in memory only, and the user is a real user of the app', async () => {
  const stored = await tab.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + document.cookie);
  assert.ok(!stored.includes(seen.secret) && !stored.includes(seen.secret2), 'the secret is in no storage');
  await tab.getByRole('link', { name: 'Users', exact: true }).click();
  await sees(rowOf(tab, 'pg-alice'), 'alice@play.test');
  await tab.getByRole('link', { name: 'Playground', exact: true }).click();
  await sees(tab, 'Playground of play1');
  await hasValue(tab.getByLabel('Secret key (your backend’s)'), '', 'forgotten on leaving the page');
  // A revealed secret key (within 7 days) can be used instead of pasting one.
  await tab.getByRole('button', { name: 'Use a revealed secret key' }).click();
  await sees(tab, 'revealed, kept in this page only');
  await eventually(async () => assert.ok([seen.secret, seen.secret2].includes(
    await tab.getByLabel('Secret key (your backend’s)').inputValue({ timeout: 2_000 })), 'a secret of play1'));
  await tab.getByRole('button', { name: 'Sign in with a discoverable passkey' }).click();
  await sees(tab, 'Discoverable sign-in: the token was verified.');
  await field('userId', 'pg-alice');
  await field('success', 'Yes');
});
