// End to end, the admin console (console/dist) as an admin uses it: a real `ferrokey serve`
// on an empty data dir, headless Debian Chromium with a CDP virtual authenticator, every step
// through the page (invitation, apps, keys, users, settings, sign-out and sign-in, recovery),
// asserting what the page shows. Run by tests/console/run.sh (which builds the console first).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  backend as callBackend, clientJs, eventually, hasAttribute, hasChecked, hasCount, hasText, hasValue, rowOf, sees, shot,
  shownKey, start,
} from './harness.mjs';

let server, page, base, inviteUrl, data, newPage;
/** What the test learns from the page as it goes. */
const seen = {};

/** A call to the app API as shop1's backend (with its secret key). */
const backend = (pathname, body, secret = seen.secret) => callBackend(base, pathname, body, secret);

before(async () => {
  server = await start();
  ({ base, inviteUrl, data, newPage } = server);
  page = await newPage();
});

after(async () => {
  await server?.close();
});

test('the printed invitation registers the first admin passkey and signs in', async () => {
  assert.match(inviteUrl, /^http:\/\/localhost:\d+\/console\/#\/invite\/invite_/);
  await page.goto(inviteUrl);
  await sees(page, 'Accept your invitation');
  await shot(page, '01-invite');
  await page.getByRole('button', { name: 'Register a passkey' }).click();
  await page.waitForURL(/#\/apps$/);
  await hasText(page.getByTestId('admin-email'), 'admin@localhost');
  await sees(page, 'default');
  await sees(page, 'No apps yet');
});

test('a used invitation link shows why it cannot be used', async () => {
  const other = await newPage();
  await other.goto(inviteUrl);
  await sees(other, 'This invitation is not valid');
  await shot(other, '02-used-invite');
  await other.getByRole('link', { name: 'Sign in' }).waitFor({ state: 'visible' });
  await other.close();
});

test('an app is created after its id is checked, and Get started shows its keys', async () => {
  const id = page.getByLabel('App ID');
  await id.fill('Shop!');
  await sees(page, 'The app id must start with a lowercase letter');
  await shot(page, '03-apps-invalid-id');
  await eventually(async () => assert.equal(await page.getByRole('button', { name: 'Create app' }).isDisabled(), true));
  await id.fill('shop1');
  await sees(page, '“shop1” is available.');
  await page.getByRole('button', { name: 'Create app' }).click();
  await page.waitForURL(/#\/apps\/shop1\/start$/);
  await sees(page, 'These keys are shown for 7 days after creation; store them now.');
  await shot(page, '04-get-started');

  const keys = {};
  for (const label of ['Public key 1', 'Public key 2', 'Secret key 1', 'Secret key 2']) {
    keys[label] = await shownKey(page, label);
  }
  assert.match(keys['Public key 1'], /^shop1:public:/);
  assert.match(keys['Secret key 1'], /^shop1:secret:[0-9a-f]+$/);
  seen.publicKey = keys['Public key 1'];
  seen.secret = keys['Secret key 1'];
  seen.secret2 = keys['Secret key 2'];

  // The snippets carry this app's values.
  await eventually(async () => {
    const code = await page.locator('pre').allTextContents();
    assert.equal(code.length, 3, 'three snippets');
    assert.ok(code[0].includes(`new Client({ apiUrl: "${base}", apiKey: "${seen.publicKey}" })`), code[0]);
    assert.ok(code[1].includes(`PasswordlessClientBuilder(PasswordlessOptions("${seen.secret}", "${base}")).build()`), code[1]);
    assert.ok(code[2].includes(`new PasswordlessClient("${seen.secret}", { baseUrl: "${base}" })`), code[2]);
  });

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download keys' }).click()]);
  assert.equal(download.suggestedFilename(), 'shop1-keys.env');
  const file = fs.readFileSync(await download.path(), 'utf8');
  assert.ok(file.includes(`FERROKEY_API_SECRET=${seen.secret}\n`), file);
  assert.ok(file.includes(`FERROKEY_API_KEY=${seen.publicKey}\n`), file);

  // On a later visit the secrets are revealed while they are viewable.
  await page.reload();
  await sees(page, 'These keys are shown for 7 days after creation; store them now.');
  await sees(page, seen.secret);

  // The id is now taken.
  await page.getByRole('link', { name: 'Apps', exact: true }).click();
  await rowOf(page, 'shop1').waitFor();
  await page.getByLabel('App ID').fill('shop1');
  await sees(page, '“shop1” is taken.');
});

test('API keys: reveal, lock and unlock, delete a locked key, create a secret key with one scope', async () => {
  await page.goto(`${base}/console/#/apps/shop1/keys`);
  await sees(page, 'API keys of shop1');
  const row = (key) => page.locator(`tbody tr[data-key-id="${key.slice(-4)}"]`);
  await hasCount(page.locator('tbody tr'), 4);

  const second = row(seen.secret2);
  await eventually(async () => {
    const masked = ((await second.locator('code').textContent({ timeout: 2_000 })) ?? '').trim();
    assert.ok(masked && !masked.includes(seen.secret2), `secrets are masked: ${masked}`);
  });
  await second.getByRole('button', { name: 'Reveal' }).click();
  await sees(second, seen.secret2);

  await second.getByRole('button', { name: 'Lock', exact: true }).click();
  await sees(second, 'Locked since');
  await hasCount(second.getByRole('button', { name: 'Delete', exact: true }), 1);
  await second.getByRole('button', { name: 'Unlock', exact: true }).click();
  await sees(second, 'Active');
  await hasCount(second.getByRole('button', { name: 'Lock', exact: true }), 1);
  await hasCount(second.getByRole('button', { name: 'Delete', exact: true }), 0, 'only locked keys can be deleted');

  await second.getByRole('button', { name: 'Lock', exact: true }).click();
  await sees(second, 'Locked since');
  await second.getByRole('button', { name: 'Delete', exact: true }).click(); // confirmed by the dialog handler
  await sees(page, `Key ${seen.secret2.slice(-4)} deleted.`);
  await hasCount(second, 0);
  await hasCount(page.locator('tbody tr'), 3);

  const publicForm = page.locator('form', { hasText: 'New public key' });
  for (const box of await publicForm.getByRole('checkbox').all()) await box.uncheck();
  await publicForm.getByRole('button', { name: 'Create public key' }).click();
  await sees(publicForm, 'Please select at least one scope.');

  const secretForm = page.locator('form', { hasText: 'New secret key' });
  await secretForm.getByLabel('token_register').uncheck();
  await secretForm.getByRole('button', { name: 'Create secret key' }).click();
  await sees(secretForm, 'New secret key (it can be revealed for 7 days):');
  await hasText(secretForm.locator('code'), /^shop1:secret:/);
  const created = (await secretForm.locator('code').textContent()).trim();
  await sees(row(created), 'token_verify');
  await hasText(row(created).locator('td').nth(2), 'token_verify');
  await hasCount(page.locator('tbody tr'), 4);
  await shot(page, '05-keys');
});

test('Users lists, searches, shows and deletes what the backend created', async () => {
  // Alice registers a passkey in shop1 (the backend's token, the official client in a page of
  // this origin); Bob only gets a hashed alias.
  const { token } = await backend('/register/token',
    { userId: 'alice', username: 'alice@example.com', aliases: ['alice@example.com'], aliasHashing: false });
  const browser = await newPage();
  await browser.goto(`${base}/console/#/signin`);
  await browser.addScriptTag({ path: clientJs });
  const registered = await browser.evaluate(
    ([apiUrl, apiKey, t]) => new window.Passwordless.Client({ apiUrl, apiKey }).register(t, 'Alice laptop'),
    [base, seen.publicKey, token]);
  assert.ok(registered.token, JSON.stringify(registered));
  await browser.close();
  await backend('/alias', { userId: 'bob', aliases: ['bob@example.com'], hashing: true });

  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await sees(page, 'Users of shop1');
  await sees(rowOf(page, 'alice'), 'alice@example.com');
  await sees(rowOf(page, 'bob'), 'hidden (hashed)');
  await shot(page, '06-users');
  await hasAttribute(rowOf(page, 'bob').locator('.hashed'), 'title', /stored hashed/);

  // Twenty more users: the list shows 20 a page.
  await Promise.all(Array.from({ length: 20 }, (_, i) =>
    backend('/alias', { userId: `user${String(i + 1).padStart(2, '0')}`, aliases: [`user${i + 1}@example.com`], hashing: false })));
  await page.reload();
  await rowOf(page, 'alice').waitFor();
  await hasCount(page.locator('tbody tr'), 20);
  await page.getByRole('button', { name: 'Next page' }).click();
  await rowOf(page, 'user20').waitFor();
  await hasCount(page.locator('tbody tr'), 2);
  await hasCount(rowOf(page, 'alice'), 0);
  await page.getByRole('button', { name: 'Previous page' }).click();
  await rowOf(page, 'alice').waitFor();
  await hasCount(page.locator('tbody tr'), 20);

  await page.getByLabel('Search users').fill('ali');
  await page.getByRole('button', { name: 'Search' }).click();
  await rowOf(page, 'bob').waitFor({ state: 'detached' });
  await page.getByRole('link', { name: 'alice' }).click();
  await sees(page, 'User alice');
  await sees(page, 'Passkeys (1)');
  const passkey = page.locator('article.credential');
  for (const field of ['Provider', 'Synced', 'Discoverable', 'Signature counter', 'RP ID', 'Origin', 'Country', 'Device', 'Created', 'Last used']) {
    await sees(passkey.locator('dt', { hasText: field }), field);
  }
  const value = (field, expected) => hasText(passkey.locator(`dt:text-is("${field}") + dd`), expected, field);
  await value('Nickname', 'Alice laptop');
  await value('RP ID', 'localhost');
  await value('Origin', base);
  await value('Discoverable', 'Yes');
  await value('Device', /Chrome/);
  await shot(page, '07-user');

  await passkey.getByRole('button', { name: 'Delete passkey' }).click();
  await sees(page, 'Passkey deleted.');
  await sees(page, 'This user has no passkeys.');
  await page.getByRole('button', { name: 'Delete user' }).click();
  await page.waitForURL(/#\/apps\/shop1\/users$/);
  await sees(rowOf(page, 'bob'), 'hidden (hashed)');
  await hasCount(rowOf(page, 'alice'), 0);
});

test('Settings persist across a reload; the organization lists, invites and guards its last admin', async () => {
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await sees(page, 'Settings of shop1');
  const magic = page.getByLabel('Magic links');
  const before = await magic.isChecked();
  await magic.setChecked(!before);
  await page.getByLabel('Event log retention (days, 0–365)').fill('30');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await sees(page, 'Settings saved.');
  await page.reload();
  await sees(page, 'Settings of shop1');
  await hasChecked(page.getByLabel('Magic links'), !before);
  await hasValue(page.getByLabel('Event log retention (days, 0–365)'), '30');
  await hasText(page.getByTestId('quota'), /^\d+$/);

  await sees(page, 'Admins of default');
  await sees(rowOf(page, 'admin@localhost'), '(you)');
  await page.getByLabel('Email').fill('second@example.com');
  await page.getByRole('button', { name: 'Invite' }).click();
  await sees(page, 'Send this link to second@example.com');
  await hasText(page.locator('form.invite code'), new RegExp(`^${base}/console/#/invite/invite_`));
  await rowOf(page, 'admin@localhost').getByRole('button', { name: 'Remove' }).click();
  await sees(page, 'The last admin of an organization cannot be removed.');
  await shot(page, '08-settings');
});

test('signing out, then in again with the passkey by email and by discoverable', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/#\/signin$/);
  await shot(page, '09-signin');
  await page.getByLabel('Email').fill('admin@localhost');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(/#\/apps$/);
  await rowOf(page, 'shop1').waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.waitForURL(/#\/apps$/);
  await rowOf(page, 'shop1').waitFor();
  await hasText(page.getByTestId('admin-email'), 'admin@localhost');
});

test('a session that ended returns to sign-in on the next call', async () => {
  const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('ferrokey.console.session')).session);
  const ended = await fetch(`${base}/admin/session`, { method: 'DELETE', headers: { Authorization: `Bearer ${session}` } });
  assert.equal(ended.status, 204);
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await page.waitForURL(/#\/signin$/);
  await sees(page, 'Your session ended. Sign in again.');
});

test('a recovery link signs in once and registers a passkey on a new device', async () => {
  const device = await newPage(); // its own, empty authenticator
  await device.goto(`${base}/console/#/signin`);
  await device.getByLabel('Email').fill('admin@localhost');
  await device.getByRole('button', { name: 'Forgot? Email me a sign-in link' }).click();
  await sees(device, 'If that address belongs to an admin, a link is on its way');
  const outbox = path.join(data, 'outbox');
  const link = await eventually(() => {
    const mails = fs.existsSync(outbox) ? fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), 'utf8')) : [];
    const found = mails.map((m) => m.match(/http:\/\/localhost:\d+\/console\/#\/recover\/\S+/)?.[0]).find(Boolean);
    assert.ok(found, `a recovery mail in ${outbox}`);
    return found;
  });

  await device.goto(link);
  await sees(device, 'You are signed in as admin@localhost');
  await device.getByRole('button', { name: 'Register a passkey on this device' }).click();
  await sees(device, 'Passkey registered.');
  await shot(device, '10-recovered');
  await device.getByRole('button', { name: 'Go to your apps' }).click();
  await rowOf(device, 'shop1').waitFor();

  // The new device's passkey signs in; the link worked once.
  await device.getByRole('button', { name: 'Sign out' }).click();
  await device.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await rowOf(device, 'shop1').waitFor();
  await device.goto(link);
  await sees(device, 'Sign-in links work once');
  await device.close();
});
