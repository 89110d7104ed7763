// End to end, the console's app administration beyond the first slice: authentication
// configurations (create, validate, edit, delete; presets kept), the event log of the admin's
// own actions with its type filter, and deleting an app (at once when young; scheduled and
// cancelled when older with a user). A real `ferrokey serve` and headless Chromium (harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  acceptInvitation, backend, clientJs, createApp, eventually, hasChecked, hasCount, hasText, hasValue, rowOf, sees, shot,
  shownKey, start,
} from './harness.mjs';

let server, page, base;

before(async () => {
  server = await start();
  base = server.base;
  page = await server.newPage();
  await acceptInvitation(page, server.inviteUrl);
  await createApp(page, 'cfg1');
});

after(async () => {
  await server?.close();
});

/** Waits until cell `n` of `row` reads `expected`. */
const cell = (row, n, expected) => hasText(row.locator('td').nth(n), expected);

test('authentication configurations: presets listed without Delete; create, validate, edit and delete a custom one', async () => {
  await page.getByRole('link', { name: 'Auth configs', exact: true }).click();
  await sees(page, 'Authentication configurations of cfg1');
  const row = (purpose) => page.locator(`tbody tr[data-purpose="${purpose}"]`);
  for (const preset of ['sign-in', 'step-up']) {
    await sees(row(preset), 'Preset');
    await cell(row(preset), 1, 'preferred');
    await cell(row(preset), 2, '2 min');
    await hasCount(row(preset).getByRole('button', { name: 'Edit' }), 1);
    await hasCount(row(preset).getByRole('button', { name: 'Delete' }), 0, `${preset} offers no Delete`);
  }

  // The server's validation problems show next to their fields.
  const form = page.getByRole('form', { name: 'New configuration' });
  await form.getByLabel('Purpose').fill('bad purpose!');
  await form.getByLabel('Token lifetime').fill('0');
  await form.getByRole('button', { name: 'Create configuration' }).click();
  await sees(form, 'One or more validation errors occurred.');
  await hasText(page.locator('#new-purpose-error'), /may only contain letters, digits, '_' and '-'/);
  await hasText(page.locator('#new-ttl-error'), /positive hh:mm:ss of at most 7 days/);
  await shot(page, '11-auth-configs-invalid');

  await form.getByLabel('Purpose').fill('payment');
  await form.getByLabel('User verification').selectOption('required');
  await form.getByLabel('Token lifetime').fill('00:05:00');
  await form.getByLabel('security-key').check();
  await form.getByLabel('hybrid').check();
  await form.getByRole('button', { name: 'Create configuration' }).click();
  await sees(page, 'Configuration payment created.');
  await page.locator('#new-purpose-error').waitFor({ state: 'hidden' }); // the field messages are cleared
  await page.locator('#new-ttl-error').waitFor({ state: 'hidden' });
  await cell(row('payment'), 1, 'required');
  await cell(row('payment'), 2, '5 min');
  await cell(row('payment'), 3, 'SecurityKey, Hybrid');
  await sees(row('payment'), 'by admin@localhost');
  await hasCount(row('payment').getByRole('button', { name: 'Delete' }), 1);

  // A duplicate is refused with the problem's title.
  await form.getByLabel('Purpose').fill('payment');
  await form.getByRole('button', { name: 'Create configuration' }).click();
  await sees(form, 'The configuration payment already exists.');

  // Edit: lifetime, user verification and hints; the form opens with the current values.
  await row('payment').getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('form', { name: 'Edit payment' });
  await hasValue(edit.getByLabel('User verification'), 'required');
  await hasValue(edit.getByLabel('Token lifetime'), '300');
  await hasChecked(edit.getByLabel('security-key'), true);
  await hasChecked(edit.getByLabel('hybrid'), true);
  await hasChecked(edit.getByLabel('client-device'), false);
  await edit.getByLabel('Token lifetime').fill('forever');
  await edit.getByRole('button', { name: 'Save configuration' }).click();
  await page.locator('#edit-ttl-error').waitFor({ state: 'visible' });
  await hasText(page.locator('#edit-ttl-error'), /positive hh:mm:ss/);
  await sees(edit, 'One or more validation errors occurred.');
  await edit.getByLabel('User verification').selectOption('discouraged');
  await edit.getByLabel('Token lifetime').fill('600');
  await edit.getByLabel('security-key').uncheck();
  await edit.getByLabel('hybrid').uncheck();
  await edit.getByLabel('client-device').check();
  await edit.getByRole('button', { name: 'Save configuration' }).click();
  await sees(page, 'Configuration payment saved.');
  await edit.waitFor({ state: 'detached' }); // the edit form closes
  await cell(row('payment'), 1, 'discouraged');
  await cell(row('payment'), 2, '10 min');
  await cell(row('payment'), 3, 'ClientDevice');
  await sees(row('payment').locator('td').nth(5), 'by admin@localhost');

  // A preset can be edited (and stays undeletable).
  await row('step-up').getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('form', { name: 'Edit step-up' }).getByLabel('Token lifetime').fill('00:03:00');
  await page.getByRole('form', { name: 'Edit step-up' }).getByRole('button', { name: 'Save configuration' }).click();
  await sees(page, 'Configuration step-up saved.');
  await cell(row('step-up'), 2, '3 min');
  await hasCount(row('step-up').getByRole('button', { name: 'Edit' }), 1);
  await hasCount(row('step-up').getByRole('button', { name: 'Delete' }), 0);
  await shot(page, '12-auth-configs');

  await row('payment').getByRole('button', { name: 'Delete' }).click(); // confirmed by the dialog handler
  await sees(page, 'Configuration payment deleted.');
  await hasCount(row('payment'), 0);
  await page.reload();
  await row('sign-in').waitFor();
  await hasCount(page.locator('tbody tr'), 2, 'only the presets remain');
  await hasCount(row('step-up'), 1);
});

test('the event log shows the admin\'s own actions newest first; the type filter and Load more work', async () => {
  // Lock and unlock a key on the API keys page: two events by this admin.
  await page.getByRole('link', { name: 'API keys', exact: true }).click();
  await sees(page, 'API keys of cfg1');
  await hasCount(page.locator('tbody tr[data-key-id]'), 4);
  const key = page.locator('tbody tr[data-key-id]').last();
  const keyId = await key.getAttribute('data-key-id');
  await key.getByRole('button', { name: 'Lock', exact: true }).click();
  await sees(key, 'Locked since');
  await key.getByRole('button', { name: 'Unlock', exact: true }).click();
  await sees(key, 'Active');

  await page.getByRole('link', { name: 'Event log', exact: true }).click();
  await sees(page, 'Event log of cfg1');
  const rows = page.locator('tbody tr');
  const types = () => rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.type));
  // Newest first (listing the keys is logged too: AdminApiKeysEnumerated).
  await eventually(async () => {
    const order = (await types()).filter((t) => t !== 'AdminApiKeysEnumerated');
    assert.deepEqual(order.slice(0, 2), ['AdminApiKeyUnlocked', 'AdminApiKeyLocked'], order.join());
    assert.equal(order.at(-1), 'ApiManagementAppCreated', order.join());
  });
  const locked = page.locator('tbody tr[data-type="AdminApiKeyLocked"]');
  await hasCount(locked, 1);
  await cell(locked, 3, 'admin@localhost');
  await cell(locked, 2, `Locked Api Key ${keyId}`);
  await sees(page.locator('tbody tr[data-type="ApiAuthenticationConfigurationDeleted"]'),
    'admin@localhost deleted the authentication configuration payment');
  await hasCount(page.locator('tbody tr[data-type="ApiAuthenticationConfigurationCreated"]'), 1);
  await hasCount(page.locator('#event-types option[value="AdminApiKeyLocked"]'), 1, 'the seen types are offered');
  await shot(page, '13-events');

  await page.getByLabel('Event type').fill('AdminApiKeyLocked');
  await page.getByRole('button', { name: 'Filter' }).click();
  await hasText(page.getByTestId('event-count'), '1 event shown');
  await eventually(async () => assert.deepEqual(await types(), ['AdminApiKeyLocked']));
  await page.getByLabel('Event type').fill('NoSuchType');
  await page.getByRole('button', { name: 'Filter' }).click();
  await sees(page, 'No NoSuchType events.');
  await hasCount(rows, 0);

  // More events than a page (25): twenty more lock/unlock pairs through the admin API.
  await page.evaluate(async ([id]) => {
    const { session } = JSON.parse(sessionStorage.getItem('ferrokey.console.session'));
    for (let i = 0; i < 20; i++) {
      for (const verb of ['lock', 'unlock']) {
        const r = await fetch(`/admin/apps/cfg1/api-keys/${id}/${verb}`, { method: 'POST', headers: { Authorization: `Bearer ${session}` } });
        if (r.status !== 204) throw new Error(`${verb}: ${r.status}`);
      }
    }
  }, [keyId]);
  await page.getByRole('button', { name: 'Show all' }).click();
  await hasText(page.getByTestId('event-count'), '25 events shown');
  await hasCount(rows, 25);
  await page.getByRole('button', { name: 'Load more' }).click();
  await hasText(page.getByTestId('event-count'), '50 events shown');
  await hasCount(rows, 50);
  // Paging on to the end gives exactly the log the API holds, in its order, without repeats.
  while (await page.getByRole('button', { name: 'Load more' }).count()) {
    const before = await rows.count();
    await page.getByRole('button', { name: 'Load more' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('tbody tr').length > n
      || !document.querySelector('.pager button'), before);
  }
  const all = await page.evaluate(async () => {
    const { session } = JSON.parse(sessionStorage.getItem('ferrokey.console.session'));
    const r = await fetch('/admin/apps/cfg1/events?limit=200', { headers: { Authorization: `Bearer ${session}` } });
    return (await r.json()).events.map((e) => `${e.performedAt} ${e.eventType}`);
  });
  assert.ok(all.length >= 50, `${all.length} events`);
  await eventually(async () =>
    assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => `${tr.cells[0].title} ${tr.dataset.type}`)), all));
  await hasCount(page.getByRole('button', { name: 'Load more' }), 0);
  await hasText(page.getByTestId('event-count'), `${all.length} events shown`);
  await hasCount(page.locator('tbody tr[data-type="AdminApiKeyLocked"]'), 21);
  await page.getByLabel('Event type').fill('adminapikeylocked');
  await page.getByRole('button', { name: 'Filter' }).click();
  await hasText(page.getByTestId('event-count'), '21 events shown');
  await eventually(async () => assert.deepEqual(await types(), Array(21).fill('AdminApiKeyLocked')));
});

test('deleting a young app removes it at once: gone from the list and the app switcher', async () => {
  await createApp(page, 'gone1');
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const zone = page.getByRole('region', { name: 'Delete app' });
  await sees(zone, 'This app can be deleted at once');
  await zone.getByRole('button', { name: 'Delete app' }).click(); // confirmed by the dialog handler
  await page.waitForURL(/#\/apps$/);
  await sees(page, 'The app gone1 was deleted.');
  await rowOf(page, 'cfg1').waitFor();
  await hasCount(rowOf(page, 'gone1'), 0);
  // The switcher fills in once the apps are loaded: wait for it to offer cfg1, then not gone1.
  const switcher = page.getByRole('combobox', { name: 'Switch app' });
  await switcher.locator('option', { hasText: 'cfg1' }).waitFor({ state: 'attached' });
  await hasCount(switcher.locator('option', { hasText: 'gone1' }), 0);
  const listed = await page.evaluate(async () => {
    const { session } = JSON.parse(sessionStorage.getItem('ferrokey.console.session'));
    return (await fetch('/admin/apps', { headers: { Authorization: `Bearer ${session}` } })).json();
  });
  assert.deepEqual(listed.map((a) => a.appId), ['cfg1']);
});

/**
 * Makes `appId` look 4 days old. The server's clock cannot be moved, so this backdates the one
 * stored value the age rule reads (the app's creation time, in the server's SQLite file); the
 * rule, the scheduling, the key locks and the cancellation stay the real server's.
 */
function backdate(appId, days) {
  const at = new Date(Date.now() - days * 86_400_000).toISOString();
  const sql = `UPDATE apps SET record = json_set(record, '$.created_at', '${at}') WHERE app_id = '${appId}' AND json_extract(record, '$.created_at') IS NOT NULL; SELECT changes();`;
  const run = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.data, 'ferrokey.db'), sql], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.trim(), '1', `backdated ${appId}`);
}
const haveSqlite = spawnSync('sqlite3', ['-version']).status === 0;

test('deleting an app older than 3 days with a user is scheduled, locks its keys, and can be cancelled',
  { skip: haveSqlite ? false : 'needs the sqlite3 CLI to backdate the app' }, async () => {
    await createApp(page, 'old1');
    const secret = await shownKey(page, 'Secret key 1');
    const publicKey = await shownKey(page, 'Public key 1');
    // A user with a passkey (the backend's token, the official client in a page of this origin).
    const { token } = await backend(base, '/register/token', { userId: 'olduser', username: 'old@example.com' }, secret);
    const browser = await server.newPage();
    await browser.goto(`${base}/console/#/signin`);
    await browser.addScriptTag({ path: clientJs });
    const registered = await browser.evaluate(
      ([apiUrl, apiKey, t]) => new window.Passwordless.Client({ apiUrl, apiKey }).register(t, 'Old laptop'),
      [base, publicKey, token]);
    assert.ok(registered.token, JSON.stringify(registered));
    await browser.close();
    backdate('old1', 4);

    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    const zone = page.getByRole('region', { name: 'Delete app' });
    await sees(zone, 'This app is older than 3 days and has users');
    await zone.getByRole('button', { name: 'Delete app' }).click();
    await sees(zone, 'Deletion scheduled for');
    await hasText(page.getByTestId('deletion-scheduled'), /^Deletion scheduled for .+; the app's API keys are locked until then\.$/);
    await sees(zone, 'Its API keys are locked until then; cancel the deletion to unlock them.');
    await shot(page, '15-deletion-scheduled');

    // The keys are locked, and the apps list marks the app.
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await sees(page, 'API keys of old1');
    await hasCount(page.locator('tbody tr', { hasText: 'Locked since' }), 4);
    await hasCount(page.locator('tbody tr', { hasText: 'Active' }), 0);
    const refused = await fetch(`${base}/signin/verify`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', ApiSecret: secret }, body: '{"token":"verify_x"}' });
    assert.equal(refused.status, 403, 'a locked secret is refused');
    await page.getByRole('link', { name: 'Apps', exact: true }).click();
    await sees(rowOf(page, 'old1'), 'Deletion scheduled (');
    await hasCount(rowOf(page, 'cfg1').getByText('Active'), 1);

    await page.getByRole('link', { name: 'old1' }).click();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await zone.getByRole('button', { name: 'Cancel deletion' }).click();
    await sees(zone, 'Deletion cancelled: the app’s API keys are unlocked.');
    await zone.getByRole('button', { name: 'Delete app' }).waitFor();
    await page.getByRole('link', { name: 'API keys', exact: true }).click();
    await sees(page, 'API keys of old1');
    await hasCount(page.locator('tbody tr', { hasText: 'Active' }), 4);
    await hasCount(page.locator('tbody tr', { hasText: 'Locked since' }), 0);
    await page.getByRole('link', { name: 'Apps', exact: true }).click();
    await sees(rowOf(page, 'old1'), 'Active');
  });
