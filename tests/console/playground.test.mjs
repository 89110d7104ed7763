// End to end, the console's Playground: with the app's secret key pasted (memory only), a
// user registers a passkey through the page, signs in by alias, discoverable and autofill,
// steps up for `step-up`, and each verified token's fields show. A real `ferrokey serve` and headless
// Chromium (harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptInvitation, createApp, rowOf, sees, shot, start } from './harness.mjs';

let server, admin, tab, base;
const seen = {};

before(async () => {
  server = await start();
  base = server.base;
  admin = await server.newPage();
  await acceptInvitation(admin, server.inviteUrl);
  await createApp(admin, 'play1');
  seen.publicKeys = [
    (await rowOf(admin, 'Public key 1').locator('code').textContent()).trim(),
    (await rowOf(admin, 'Public key 2').locator('code').textContent()).trim(),
  ];
  seen.secret = (await rowOf(admin, 'Secret key 1').locator('code').textContent()).trim();
  seen.secret2 = (await rowOf(admin, 'Secret key 2').locator('code').textContent()).trim();
  // The Playground in a tab of its own (its own authenticator: the admin's console passkey,
  // also for localhost, would otherwise be offered to a discoverable sign-in too).
  tab = await server.openTab(admin, `${base}/console/#/apps/play1/playground`);
});

after(async () => {
  await server?.close();
});

const field = async (name) => (await tab.locator(`[data-testid="verified"] dd[data-field="${name}"]`).textContent()).trim();

test('the Playground uses the app\'s public key and says the secret stays in the page', async () => {
  await sees(tab, 'Playground of play1');
  // One of the app's two (unlocked) public keys.
  assert.ok(seen.publicKeys.includes(await tab.getByTestId('pg-public-key').textContent()), 'a public key of play1');
  assert.match(await tab.getByTestId('secret-notice').textContent(), /stays in this page’s memory: it is not stored/);
  // Without a secret key there is no register token.
  await tab.getByRole('button', { name: 'Register a passkey' }).click();
  await sees(tab, 'Register: a register token needs the app’s secret key.');
  // A wrong secret: the server's problem title.
  await tab.getByLabel('Secret key (your backend’s)').fill('play1:secret:00000000000000000000000000000000');
  await tab.getByLabel('Username').fill('nobody@play.test');
  await tab.getByRole('button', { name: 'Register a passkey' }).click();
  await sees(tab, 'Register: A valid \'ApiSecret\' header is required.');
  assert.equal((await tab.passkeys()).length, 0, 'no passkey without a register token');
});

test('register a user through the page with the app\'s secret, then sign in by alias, discoverable and autofill', async () => {
  await tab.getByLabel('Secret key (your backend’s)').fill(seen.secret);
  await tab.getByLabel('User ID').first().fill('pg-alice');
  await tab.getByLabel('Username').fill('alice@play.test');
  await tab.getByLabel('Passkey nickname').fill('Playground laptop');
  await tab.getByRole('button', { name: 'Register a passkey' }).click();
  await sees(tab, 'Register: the token was verified.');
  assert.equal(await field('userId'), 'pg-alice');
  assert.equal(await field('type'), 'passkey_register');
  assert.equal(await field('success'), 'Yes');
  assert.equal((await tab.passkeys()).length, 1);

  await tab.getByLabel('Alias').fill('alice@play.test');
  await tab.getByRole('button', { name: 'Sign in with alias' }).click();
  await sees(tab, 'Sign in by alias: the token was verified.');
  assert.equal(await field('userId'), 'pg-alice');
  assert.equal(await field('type'), 'passkey_signin');
  assert.equal(await field('success'), 'Yes');
  assert.equal(await field('rpId'), 'localhost');
  assert.equal(await field('origin'), base);
  assert.equal(await field('purpose'), 'sign-in');
  assert.equal(await field('nickname'), 'Playground laptop');
  assert.match(await field('device'), /Chrome/);
  assert.match(await field('credentialId'), /^[A-Za-z0-9+/=_-]{16,}$/);
  assert.match(await field('timestamp'), /\(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
  assert.match(await field('expiresAt'), /\(\d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
  for (const name of ['User ID', 'Success', 'Timestamp', 'RP ID', 'Origin', 'Device', 'Country', 'Credential ID', 'Purpose', 'Type', 'Expires at']) {
    await sees(tab.getByTestId('verified').locator('dt', { hasText: name }), name);
  }
  seen.credentialId = await field('credentialId');
  const firstTokenId = await field('tokenId');

  await tab.getByRole('button', { name: 'Sign in with a discoverable passkey' }).click();
  await sees(tab, 'Discoverable sign-in: the token was verified.');
  assert.equal(await field('userId'), 'pg-alice');
  assert.equal(await field('type'), 'passkey_signin');
  assert.equal(await field('credentialId'), seen.credentialId);
  assert.notEqual(await field('tokenId'), firstTokenId, 'a new token');

  // Autofill (conditional mediation): the virtual authenticator answers the pending request
  // with its one passkey, as a person picking it from the field's suggestions would.
  assert.equal(await tab.getByLabel('Autofill').getAttribute('autocomplete'), 'username webauthn');
  await tab.getByRole('button', { name: 'Start autofill sign-in' }).click();
  await sees(tab, 'Autofill sign-in: the token was verified.');
  assert.equal(await field('userId'), 'pg-alice');
  assert.equal(await field('type'), 'passkey_signin');
  await shot(tab, '14-playground');
});

test('a step-up for the purpose step-up, for the user just signed in', async () => {
  assert.equal(await tab.getByLabel('User ID').last().inputValue(), 'pg-alice', 'filled from the last verified token');
  assert.equal(await tab.getByLabel('Purpose').inputValue(), 'step-up');
  await tab.getByRole('button', { name: 'Step up' }).click();
  await sees(tab, 'Step-up for step-up: the token was verified.');
  assert.equal(await field('userId'), 'pg-alice');
  assert.equal(await field('purpose'), 'step-up');
  assert.equal(await field('type'), 'passkey_signin');
  assert.equal(await field('success'), 'Yes');
});

test('the secret was kept in memory only, and the user is a real user of the app', async () => {
  const stored = await tab.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }) + document.cookie);
  assert.ok(!stored.includes(seen.secret) && !stored.includes(seen.secret2), 'the secret is in no storage');
  await tab.getByRole('link', { name: 'Users', exact: true }).click();
  await sees(rowOf(tab, 'pg-alice'), 'alice@play.test');
  await tab.getByRole('link', { name: 'Playground', exact: true }).click();
  await sees(tab, 'Playground of play1');
  assert.equal(await tab.getByLabel('Secret key (your backend’s)').inputValue(), '', 'forgotten on leaving the page');
  // A revealed secret key (within 7 days) can be used instead of pasting one.
  await tab.getByRole('button', { name: 'Use a revealed secret key' }).click();
  await sees(tab, 'revealed, kept in this page only');
  assert.ok([seen.secret, seen.secret2].includes(await tab.getByLabel('Secret key (your backend’s)').inputValue()), 'a secret of play1');
  await tab.getByRole('button', { name: 'Sign in with a discoverable passkey' }).click();
  await sees(tab, 'Discoverable sign-in: the token was verified.');
});
