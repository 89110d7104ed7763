// Accessibility of every console page, and a look at each: a real `ferrokey serve` and headless
// Chromium (harness.mjs) walk the console as an admin does — invitation, apps, Get started, API
// keys, the Playground (a registration and a sign-in, so the Dashboard has data), Dashboard,
// users and one user, auth configurations, settings (with the organization's admins and
// "Delete app"), organization, event log, sign-in, the session ended, recovery — and on each
// page, at laptop (1366×768) and phone (390×844) width, wait until it has loaded, run axe-core
// (WCAG 2.0/2.1 A and AA and best practices; a `serious` or `critical` violation fails), check
// that at phone width nothing scrolls the page sideways, and save a full-page screenshot to
// tests/console/artifacts/<page>-<laptop|phone>.png (git-ignored) to look at.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  acceptInvitation, backend, consoleDir, createApp, eventually, hasCount, hasText, rowOf, sees, shownKey, start,
} from './harness.mjs';

const here = path.dirname(new URL(import.meta.url).pathname);
const artifacts = path.join(here, 'artifacts');
// axe-core is a devDependency of the console (exact version in console/package.json).
const axeJs = path.join(path.dirname(createRequire(path.join(consoleDir, 'package.json')).resolve('axe-core/package.json')), 'axe.min.js');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const WIDTHS = { laptop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } };
/** What a page shows while it waits for the server. */
const LOADING = /^(Loading…|Loading the map…|Checking…|Signing you in…)$/;
const APP = 'a11y';

let server, page, base;
const seen = {};

before(async () => {
  fs.mkdirSync(artifacts, { recursive: true });
  server = await start();
  base = server.base;
  page = await server.newPage();
});

after(async () => {
  await server?.close();
});

/** Waits until `p` shows its h1 `title`, every `ready` locator, and no loading indicator. */
async function loaded(p, title, ready) {
  await p.getByRole('heading', { level: 1, name: title, exact: true }).waitFor({ state: 'visible' });
  for (const locator of ready) await locator.first().waitFor({ state: 'visible' });
  await hasCount(p.locator('main').getByText(LOADING), 0, 'still loading');
  await hasCount(p.locator('[aria-busy="true"]'), 0, 'still busy');
  // Charts follow their box's width (Chart.js redraws on resize): wait until they fit it.
  await eventually(() => p.evaluate(() => {
    for (const c of document.querySelectorAll('canvas')) {
      const box = c.parentElement.getBoundingClientRect();
      if (Math.abs(c.getBoundingClientRect().width - box.width) > 1) throw new Error('a chart is being resized');
    }
  }));
}

/** axe-core's serious and critical violations on `p`, one line each: rule, impact, targets. */
async function violations(p) {
  if (!(await p.evaluate(() => 'axe' in window))) await p.addScriptTag({ path: axeJs });
  return p.evaluate(async (tags) => {
    const { violations: found } = await window.axe.run(document, { runOnly: tags, resultTypes: ['violations'] });
    return found.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  }, TAGS);
}

/**
 * Checks the page `p` shows as `name` at both widths: loaded (h1 `title`, the `ready`
 * locators), no serious or critical axe violation, no sideways scrolling at phone width; saves
 * `<name>-<width>.png`. Ends at laptop width.
 */
async function scan(p, name, title, ...ready) {
  const problems = [];
  for (const [width, size] of Object.entries(WIDTHS)) {
    await p.setViewportSize(size);
    await loaded(p, title, ready);
    for (const v of await violations(p)) problems.push(`${width}: ${v}`);
    if (width === 'phone') {
      const { scroll, inner, wide } = await p.evaluate(() => {
        const name = (e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${[...e.classList].map((c) => `.${c}`).join('')}`;
        const out = (e) => e.getBoundingClientRect().right > window.innerWidth + 0.5;
        /** Inside a box that clips or scrolls it and does not stick out itself (a visually hidden table, a pre). */
        const clipped = (e) => {
          for (let a = e.parentElement; a; a = a.parentElement) {
            if (getComputedStyle(a).overflowX !== 'visible') return !out(a);
          }
          return false;
        };
        const past = [...document.querySelectorAll('body *')].filter((e) => out(e) && !clipped(e));
        // The innermost ones: those with no overflowing child.
        const inmost = past.filter((e) => !past.some((o) => o !== e && e.contains(o)));
        return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide: inmost.slice(0, 5).map(name) };
      });
      if (scroll > inner) problems.push(`phone: the page scrolls sideways (${scroll} px wide in ${inner} px): ${wide.join(', ')}`);
    }
    await p.screenshot({ path: path.join(artifacts, `${name}-${width}.png`), fullPage: true });
  }
  await p.setViewportSize(WIDTHS.laptop);
  assert.equal(problems.length, 0, `${name}:\n${problems.join('\n')}`);
}

/** The admin API as the page's admin (its session from sessionStorage). */
const adminApi = (method, pathname) => page.evaluate(async ([m, u]) => {
  const { session } = JSON.parse(sessionStorage.getItem('ferrokey.console.session'));
  const r = await fetch(u, { method: m, headers: { Authorization: `Bearer ${session}` } });
  return r.status;
}, [method, pathname]);

test('the invitation, then Apps empty and with an app, and Get started', async () => {
  await page.setViewportSize(WIDTHS.laptop);
  await page.goto(server.inviteUrl);
  await scan(page, 'invite', 'Accept your invitation', page.getByRole('button', { name: 'Register a passkey' }));
  await acceptInvitation(page, server.inviteUrl);
  await scan(page, 'apps-empty', 'Apps', page.getByText('No apps yet'));
  await createApp(page, APP);
  seen.secret = await shownKey(page, 'Secret key 1');
  await scan(page, 'start', `Get started with ${APP}`, page.locator('pre'));
  await page.getByRole('link', { name: 'Apps', exact: true }).click();
  await page.getByLabel('App ID').fill('shop2'); // the availability message, too
  await sees(page, '“shop2” is available.');
  await scan(page, 'apps', 'Apps', rowOf(page, APP));
});

test('API keys, with a secret revealed', async () => {
  await page.goto(`${base}/console/#/apps/${APP}/keys`);
  await hasCount(page.locator('tbody tr[data-key-id]'), 4);
  await page.getByRole('button', { name: 'Reveal' }).first().click();
  await hasCount(page.getByRole('button', { name: 'Reveal' }), 1);
  await scan(page, 'keys', `API keys of ${APP}`);
});

test('the Playground after a registration and a sign-in', async () => {
  await page.getByRole('link', { name: 'Playground', exact: true }).click();
  await sees(page, `Playground of ${APP}`);
  await page.setExtraHTTPHeaders({ 'CF-IPCountry': 'SE' }); // a country for the Dashboard's map
  await page.getByLabel('Secret key (your backend’s)').fill(seen.secret);
  await page.getByLabel('User ID').first().fill('pg-ann');
  await page.getByLabel('Username').fill('ann@a11y.test');
  await page.getByRole('button', { name: 'Register a passkey' }).click();
  await sees(page, 'Register: the token was verified.');
  await page.getByLabel('Alias').fill('ann@a11y.test');
  await page.getByRole('button', { name: 'Sign in with alias' }).click();
  await sees(page, 'Sign in by alias: the token was verified.');
  await hasText(page.locator('[data-testid="verified"] dd[data-field="type"]'), 'passkey_signin');
  await page.setExtraHTTPHeaders({});
  await scan(page, 'playground', `Playground of ${APP}`, page.getByTestId('verified').locator('dl'));
});

test('the Dashboard with data', async () => {
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await hasText(page.getByTestId('usage-total'), '2');
  await eventually(async () => assert.ok(await page.getByTestId('world-map').locator('path').count() > 150, 'the map is drawn'));
  await scan(page, 'dashboard', `Dashboard of ${APP}`, page.locator('canvas'), page.getByTestId('world-map'));
});

test('Users, and one user', async () => {
  await backend(base, '/alias', { userId: 'bob', aliases: ['bob@example.com'], hashing: true }, seen.secret);
  await page.getByRole('link', { name: 'Users', exact: true }).click();
  await scan(page, 'users', `Users of ${APP}`, rowOf(page, 'pg-ann'), rowOf(page, 'bob'));
  await page.getByRole('link', { name: 'pg-ann' }).click();
  await scan(page, 'user', 'User pg-ann', page.locator('article.credential'));
});

test('Auth configs, with the edit form open', async () => {
  await page.getByRole('link', { name: 'Auth configs', exact: true }).click();
  await page.locator('tbody tr[data-purpose="step-up"]').getByRole('button', { name: 'Edit' }).click();
  await scan(page, 'auth-configs', `Authentication configurations of ${APP}`,
    page.getByRole('form', { name: 'Edit step-up' }), page.getByRole('form', { name: 'New configuration' }));
});

test('Settings (app settings, Delete app, the organization\'s admins with an invitation made) and Organization', async () => {
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Email').fill('second@example.com');
  await page.getByRole('button', { name: 'Invite' }).click();
  await sees(page, 'Send this link to second@example.com');
  await scan(page, 'settings', `Settings of ${APP}`, page.getByRole('button', { name: 'Save settings' }),
    page.getByRole('region', { name: 'Delete app' }).getByRole('button', { name: 'Delete app' }), rowOf(page, 'admin@localhost'));
  await page.getByRole('link', { name: 'Organization', exact: true }).click();
  await scan(page, 'org', 'Organization', rowOf(page, 'admin@localhost'));
});

test('the event log', async () => {
  await page.getByRole('link', { name: 'Event log', exact: true }).click();
  await scan(page, 'events', `Event log of ${APP}`, page.locator('tbody tr[data-type]'), page.getByTestId('event-count'));
});

test('signed out: a used invitation, the sign-in page, a session that ended, a recovery link used and reused', async () => {
  const visitor = await server.newPage();
  await visitor.goto(server.inviteUrl);
  await scan(visitor, 'invite-used', 'Invitation', visitor.getByText('This invitation is not valid'));
  await visitor.getByRole('link', { name: 'Sign in' }).click();
  await scan(visitor, 'signin', 'Sign in', visitor.getByRole('button', { name: 'Sign in with a passkey' }));
  await visitor.close();

  assert.equal(await adminApi('DELETE', '/admin/session'), 204);
  await page.getByRole('link', { name: 'Apps', exact: true }).click();
  await page.waitForURL(/#\/signin$/);
  await page.getByLabel('Email').fill('admin@localhost');
  await page.getByRole('button', { name: 'Forgot? Email me a sign-in link' }).click();
  await sees(page, 'If that address belongs to an admin, a link is on its way');
  await scan(page, 'signed-out', 'Sign in', page.getByText('Your session ended. Sign in again.'));

  const outbox = path.join(server.data, 'outbox');
  const link = await eventually(() => {
    const mails = fs.existsSync(outbox) ? fs.readdirSync(outbox).map((f) => fs.readFileSync(path.join(outbox, f), 'utf8')) : [];
    const found = mails.map((m) => m.match(/http:\/\/localhost:\d+\/console\/#\/recover\/\S+/)?.[0]).find(Boolean);
    assert.ok(found, `a recovery mail in ${outbox}`);
    return found;
  });
  await page.goto(link);
  await scan(page, 'recover', 'Signed in', page.getByRole('button', { name: 'Register a passkey on this device' }));
  await page.goto(link);
  await scan(page, 'recover-used', 'Sign-in link', page.getByText('Sign-in links work once'));
});
