// End to end, the console's Dashboard: real ceremonies for an app (two users register through
// the official browser client, one of them signs in and steps up, one sign-in is begun and never
// completed; the geo header says Sweden or the United States), then the numbers an admin checks
// on the page — users with passkeys, MAU, usage and its change, platforms, authentication time,
// success rate, the map and its tables, authenticators, purposes — the register/login checkboxes,
// the period picker (presets, custom dates, an invalid range) and the empty, 401 and phone-width
// cases. A real `ferrokey serve` and headless Chromium (harness.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  acceptInvitation, backend, clientJs, createApp, eventually, hasAttribute, hasChecked, hasCount, hasText, sees, shot, shownKey,
  start,
} from './harness.mjs';

let server, admin, base;

const DAY_MS = 86_400_000;
/** The UTC day `n` days from today (YYYY-MM-DD). */
const utcDay = (n = 0) => new Date(Date.now() + n * DAY_MS).toISOString().slice(0, 10);

before(async () => {
  server = await start();
  base = server.base;
  admin = await server.newPage();
  await acceptInvitation(admin, server.inviteUrl);
  await createApp(admin, 'dash1');
  const secret = await shownKey(admin, 'Secret key 1');
  const publicKey = await shownKey(admin, 'Public key 1');

  // The app's site: the official client in a page of this origin, with its own authenticator.
  const site = await server.newPage();
  await site.goto(`${base}/console/#/signin`);
  await site.addScriptTag({ path: clientJs });
  const client = (method, ...args) => site.evaluate(async ([apiUrl, apiKey, m, a]) => {
    const result = await new window.Passwordless.Client({ apiUrl, apiKey })[m](...a);
    return { token: result.token, error: result.error };
  }, [base, publicKey, method, args]);
  for (const [userId, country] of [['ann', 'SE'], ['ben', 'US']]) {
    await site.setExtraHTTPHeaders({ 'CF-IPCountry': country });
    const { token } = await backend(base, '/register/token',
      { userId, username: `${userId}@dash.test`, aliases: [`${userId}@dash.test`], aliasHashing: false }, secret);
    const registered = await client('register', token, `${userId}'s laptop`);
    assert.ok(registered.token, `register ${userId}: ${JSON.stringify(registered.error)}`);
  }
  await site.setExtraHTTPHeaders({ 'CF-IPCountry': 'SE' });
  const signedIn = await client('signinWithAlias', 'ann@dash.test');
  assert.ok(signedIn.token, JSON.stringify(signedIn.error));
  assert.equal((await backend(base, '/signin/verify', { token: signedIn.token }, secret)).success, true);
  const steppedUp = await client('stepup', { signinMethod: { userId: 'ann' }, purpose: 'step-up' });
  assert.ok(steppedUp.token, JSON.stringify(steppedUp.error));
  // Begun and never completed: 4 completed of 5 begun.
  await site.setExtraHTTPHeaders({});
  const begun = await client('signinBegin', { userId: 'ben' }, 'sign-in');
  assert.equal(begun.error, undefined, JSON.stringify(begun.error));
  await site.close();
});

after(async () => {
  await server?.close();
});

/** Waits until the row `name` of the table named `table` reads `cells` (after its first cell). */
async function row(table, name, ...cells) {
  const tr = admin.getByRole('table', { name: table, exact: true }).locator('tbody tr').filter({ has: admin.getByRole('rowheader', { name, exact: true }) });
  await hasCount(tr, 1, `${table}: one row ${name}`);
  for (const [i, text] of cells.entries()) await hasText(tr.locator('td').nth(i), text, `${table} / ${name} / ${i + 1}`);
}

const period = () => admin.getByLabel('Period', { exact: true });
const shownPeriod = (days) => hasText(admin.getByTestId('dash-period'), new RegExp(`\\(${days} days?, UTC\\)`));

test('the Dashboard shows the app\'s users, MAU, usage, platforms, times and success rate', async () => {
  const links = admin.locator('nav.main .app-links a');
  await hasText(links.nth(0), 'Get started');
  await hasText(links.nth(1), 'Dashboard', 'Dashboard comes right after Get started');
  await links.nth(1).click();
  await admin.waitForURL(/#\/apps\/dash1\/dashboard$/);
  await sees(admin, 'Dashboard of dash1');
  await shownPeriod(30);
  await hasText(admin.getByTestId('users-with-passkeys'), '2');
  await hasText(admin.getByTestId('mau'), '2');
  const thisMonth = utcDay().slice(0, 7);
  await hasText(admin.getByTestId('mau-months').locator(`li[data-month="${thisMonth}"] strong`), '2');
  await hasText(admin.getByTestId('success-rate'), '80%');
  await sees(admin, '4 completed of 5 ceremonies begun; 0 failed verification.');

  await hasText(admin.getByTestId('usage-total'), '4');
  await hasText(admin.getByTestId('usage-change'), 'Not enough data', 'a new app has no previous period');
  await row('Usage over time', (await dayLabel(utcDay())), '2', '2');

  await row('Usage by platform', 'Other', '4'); // Chromium on Linux
  for (const name of ['iOS', 'Android', 'macOS', 'Windows']) await row('Usage by platform', name, '0');

  await hasText(admin.getByTestId('time-count'), '4');
  await hasText(admin.getByTestId('time-password'), '30.4 s');
  await hasText(admin.getByTestId('time-median'), /^\d+\.\d s$/);
  await hasText(admin.getByTestId('time-average'), /^\d+\.\d s$/);
  const bars = admin.getByRole('table', { name: 'Passkey authentication time' }).locator('tbody tr');
  await hasCount(bars, 21, '1-second bars 0..19 and 20+');
  await hasText(bars.nth(20).locator('th'), '20 s or more');
  await eventually(async () => {
    const counts = await bars.locator('td').allTextContents();
    assert.equal(counts.reduce((a, b) => a + Number(b), 0), 4, 'the bars add up to the timed ceremonies');
  });
  await hasText(admin.getByTestId('incomplete-summary'), /^0 incomplete ceremonies and 0 failed in 30 days\.$/);

  // Every chart has a text alternative.
  const canvases = admin.locator('canvas');
  await hasCount(canvases, 4);
  for (const i of [0, 1, 2, 3]) await hasAttribute(canvases.nth(i), 'aria-label', /\d/);
  await hasAttribute(admin.getByRole('img', { name: /^Completed ceremonies by platform/ }), 'aria-label', /Other 4\./);

  // Beyond Flex.
  await row('Authenticator providers', 'Unknown authenticator', '01020304-0506-0708-0102-030405060708', '4');
  await hasText(admin.getByTestId('device-bound'), '4');
  await hasText(admin.getByTestId('synced'), '0');
  await row('Sign-in purposes', 'step-up', '1');
  await row('Sign-in purposes', 'sign-in', '1');
  await shot(admin, '20-dashboard');
});

test('the map colours countries by their region\'s count, with region, sub-region and country tables', async () => {
  const map = admin.getByTestId('world-map');
  await eventually(async () => assert.ok(await map.locator('path').count() > 150, 'the countries are drawn'));
  await hasAttribute(map, 'aria-label', /Americas 1, Europe 3\.$/);
  await hasAttribute(map.locator('path[data-country="SE"]'), 'data-count', '3');
  await hasAttribute(map.locator('path[data-country="FR"]'), 'data-region', 'Europe');
  await hasAttribute(map.locator('path[data-country="FR"]'), 'data-count', '3', 'coloured by its region');
  await hasAttribute(map.locator('path[data-country="BR"]'), 'data-count', '1');
  await hasAttribute(map.locator('path[data-country="CN"]'), 'data-count', '0');
  const fill = (c) => map.locator(`path[data-country="${c}"]`).getAttribute('fill');
  assert.equal(await fill('SE'), await fill('FR'), 'one colour per region');
  assert.notEqual(await fill('SE'), await fill('CN'));
  await hasText(map.locator('path[data-country="SE"] title'), 'Sweden: 3 ceremonies · Europe: 3');
  await row('Regions', 'Europe', '3');
  await row('Regions', 'Americas', '1');
  await row('Sub-regions', 'Northern Europe', 'Europe', '3');
  await row('Sub-regions', 'Northern America', 'Americas', '1');
  await row('Countries', 'Sweden (SE)', 'Europe', '3');
  await row('Countries', 'United States (US)', 'Americas', '1');
});

test('the register and login checkboxes change the usage total', async () => {
  const register = admin.getByLabel('Register', { exact: true });
  const login = admin.getByLabel('Login', { exact: true });
  const total = admin.getByTestId('usage-total');
  await login.uncheck();
  await hasChecked(login, false);
  await hasText(total, '2', 'registrations only');
  await register.uncheck();
  await hasText(total, '0');
  await sees(admin, 'choose register, login or both');
  await login.check();
  await hasText(total, '2', 'sign-ins only (a sign-in and a step-up)');
  await hasText(admin.getByTestId('usage-change'), 'Not enough data');
  await hasAttribute(admin.getByRole('img', { name: /^Sign-ins per day/ }), 'aria-label', /: 2 in 30 days/);
  await register.check();
  await hasText(total, '4', 'both: the sum');
});

test('the period picker asks for the period chosen: 7 or 90 days, custom dates, and an invalid range', async () => {
  const asked = () => admin.waitForRequest((r) => r.url().includes('/admin/apps/dash1/dashboard?'));
  let request = asked();
  await period().selectOption('7');
  let query = new URL((await request).url()).searchParams;
  assert.equal((Date.parse(query.get('to')) - Date.parse(query.get('from'))) / DAY_MS, 7);
  assert.equal(query.get('to'), utcDay(1), 'up to today, inclusive');
  await shownPeriod(7);
  await hasText(admin.getByTestId('usage-total'), '4');

  request = asked();
  await period().selectOption('90');
  query = new URL((await request).url()).searchParams;
  assert.equal(query.get('from'), utcDay(-89));
  await shownPeriod(90);

  // Custom: yesterday and today.
  await period().selectOption('custom');
  await admin.getByLabel('From', { exact: true }).fill(utcDay(-1));
  await admin.getByLabel('To (inclusive)').fill(utcDay());
  request = asked();
  await admin.getByRole('button', { name: 'Show', exact: true }).click();
  query = new URL((await request).url()).searchParams;
  assert.deepEqual([query.get('from'), query.get('to')], [utcDay(-1), utcDay(1)]);
  await shownPeriod(2);
  await hasText(admin.getByTestId('usage-total'), '4');

  // From after To: the server's problem, in place of the numbers.
  await admin.getByLabel('From', { exact: true }).fill(utcDay());
  await admin.getByLabel('To (inclusive)').fill(utcDay(-3));
  await admin.getByRole('button', { name: 'Show', exact: true }).click();
  await hasText(admin.getByRole('alert'), /^One or more validation errors occurred\./);
  await hasCount(admin.getByTestId('usage-total'), 0);
  await shot(admin, '21-dashboard-invalid-range');

  // A period before the app's first ceremony: the empty state, users with passkeys still counted now.
  await admin.getByLabel('From', { exact: true }).fill('2024-01-01');
  await admin.getByLabel('To (inclusive)').fill('2024-01-31');
  await admin.getByRole('button', { name: 'Show', exact: true }).click();
  await hasText(admin.getByTestId('dash-empty'), 'No ceremonies in this period yet.');
  await shownPeriod(31);
  await hasText(admin.getByTestId('users-with-passkeys'), '2');
  await hasText(admin.getByTestId('mau'), '0');
  await hasCount(admin.getByRole('alert'), 0);
});

test('at phone width the Dashboard fits the screen; a 401 from its API goes to sign-in', async () => {
  const tab = await server.openTab(admin, `${base}/console/#/apps/dash1/dashboard`);
  // Drawn at laptop width first, then the window narrows: the charts must shrink with it.
  await hasText(tab.getByTestId('usage-total'), '4');
  await eventually(async () => assert.ok(await tab.getByTestId('world-map').locator('path').count() > 150));
  await eventually(async () => assert.ok(await tab.locator('canvas').first().evaluate((c) => c.width > 600), 'drawn wide'));
  await tab.setViewportSize({ width: 390, height: 844 });
  await eventually(async () => {
    const { scroll, inner } = await tab.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
    }));
    assert.ok(scroll <= inner, `no sideways scrolling (${scroll} > ${inner})`);
    for (const box of await tab.locator('canvas').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().right))) {
      assert.ok(box <= inner, 'charts fit the screen');
    }
  });
  await shot(tab, '22-dashboard-phone');

  // The session ended on the server: the dashboard call answers 401.
  await tab.route('**/admin/apps/dash1/dashboard?**', (route) => route.fulfill({
    status: 401, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Unauthorized.', status: 401 }),
  }));
  await tab.getByLabel('Period', { exact: true }).selectOption('7');
  await tab.waitForURL(/#\/signin$/);
  await sees(tab, 'Your session ended. Sign in again.');
  await tab.close();
});

/** A day as the page writes it (the browser's locale). */
function dayLabel(date) {
  return admin.evaluate((d) => new Date(`${d}T00:00:00Z`).toLocaleDateString(undefined, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }), date);
}
