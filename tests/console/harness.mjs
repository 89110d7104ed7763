// What every console e2e file shares: a real `ferrokey serve` on an empty data dir, headless
// Debian Chromium with a CDP virtual authenticator per page, and small helpers to read pages.
// Each test file starts its own server and browser (node --test runs the files in parallel).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
export const repo = path.resolve(here, '../..');
export const consoleDir = path.join(repo, 'console');
// playwright-core is a devDependency of the console: one `npm ci` there serves build and test.
const { chromium } = createRequire(path.join(consoleDir, 'package.json'))('playwright-core');
const binary = process.env.FERROKEY_BIN || path.join(repo, 'target/debug/ferrokey');
export const clientJs = path.join(consoleDir, 'node_modules/@passwordlessdev/passwordless-client/dist/iife/passwordless.iife.js');

async function freePort() {
  const srv = http.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/**
 * Starts `ferrokey serve` on a fresh data dir and a browser. Gives
 * `{ base, inviteUrl, data, newPage, openTab, log, close }`: the origin, the first-admin
 * invitation link the server printed, the data dir, page and tab makers (each page with its own
 * authenticator), the server's output so far, and the teardown.
 */
export async function start() {
  assert.ok(fs.existsSync(path.join(consoleDir, 'dist/index.html')), 'build the console first (tests/console/run.sh)');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrokey-console-'));
  const data = path.join(tmp, 'data');
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FERROKEY_')));
  const server = spawn(binary, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', data, '--console-dir', path.join(consoleDir, 'dist')],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverLog = '';
  const inviteUrl = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no invitation link printed:\n${serverLog}`)), 30_000);
    const read = (chunk) => {
      serverLog = (serverLog + chunk).slice(-50_000);
      const found = serverLog.match(/http:\/\/localhost:\d+\/console\/#\/invite\/invite_[A-Za-z0-9_-]+/);
      if (found) {
        clearTimeout(timer);
        resolve(found[0]);
      }
    };
    server.stdout.on('data', read); // drained, so the server never blocks on a full pipe
    server.stderr.on('data', read);
    server.on('exit', (code) => reject(new Error(`ferrokey serve exited (${code}):\n${serverLog}`)));
    server.on('error', (e) => reject(new Error(`cannot start ${binary} (build it: cargo build -p ferrokey): ${e.message}`)));
  });
  const ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });

  /** Gives `p` its own virtual authenticator (a ceremony on a page without one hangs). */
  async function equip(p) {
    p.setDefaultTimeout(15_000);
    const cdp = await ctx.newCDPSession(p);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
        isUserVerified: true, automaticPresenceSimulation: true },
    });
    p.on('dialog', (dialog) => dialog.accept()); // the console's "Delete …?" confirmations
    /** The passkeys on this page's authenticator. */
    p.passkeys = async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials;
    return p;
  }

  /** A new page with its own authenticator. */
  const newPage = async () => equip(await ctx.newPage());

  /**
   * Opens `url` in a new tab from `opener` (which keeps a copy of its sessionStorage, so the
   * admin stays signed in), with its own authenticator: its passkeys do not mix with the
   * opener's.
   */
  async function openTab(opener, url) {
    const [tab] = await Promise.all([ctx.waitForEvent('page'), opener.evaluate((u) => void window.open(u), url)]);
    return equip(tab);
  }

  async function close() {
    await ctx.close();
    server.kill();
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  return { base: new URL(inviteUrl).origin, inviteUrl, data, newPage, openTab, log: () => serverLog, close };
}

/** Opens the invitation on `page`, registers the first admin's passkey, and waits for Apps. */
export async function acceptInvitation(page, inviteUrl) {
  await page.goto(inviteUrl);
  await sees(page, 'Accept your invitation');
  await page.getByRole('button', { name: 'Register a passkey' }).click();
  await page.waitForURL(/#\/apps$/);
}

/** Creates `appId` on the Apps page; waits for its Get started page. */
export async function createApp(page, appId) {
  await page.getByRole('link', { name: 'Apps', exact: true }).click();
  await page.getByLabel('App ID').fill(appId);
  await sees(page, `“${appId}” is available.`);
  await page.getByRole('button', { name: 'Create app' }).click();
  await page.waitForURL(new RegExp(`#/apps/${appId}/start$`));
}

/**
 * Runs `check` until it passes (stops throwing), retrying every 50 ms for up to `timeout` ms,
 * then throws its last failure. For assertions on what a page shows after an action: the page
 * may still be loading or redrawing when the action returns, so a single read can be stale.
 */
export async function eventually(check, timeout = 15_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** A locator read that gives up quickly (and is retried by `eventually`) while its element is missing. */
const quick = { timeout: 2_000 };

/** Waits until `locator`'s trimmed text equals `expected` (a string) or matches it (a RegExp). */
export const hasText = (locator, expected, message) => eventually(async () => {
  const text = ((await locator.textContent(quick)) ?? '').trim();
  if (expected instanceof RegExp) assert.match(text, expected, message);
  else assert.equal(text, expected, message);
});

/** Waits until `locator` matches exactly `n` elements. */
export const hasCount = (locator, n, message) =>
  eventually(async () => assert.equal(await locator.count(), n, message));

/** Waits until the input, select or textarea `locator` holds `value`. */
export const hasValue = (locator, value, message) =>
  eventually(async () => assert.equal(await locator.inputValue(quick), value, message));

/** Waits until the checkbox `locator` is `checked` (true) or not (false). */
export const hasChecked = (locator, checked, message) =>
  eventually(async () => assert.equal(await locator.isChecked(quick), checked, message));

/** Waits until `locator`'s attribute `name` equals `expected` (a string) or matches it (a RegExp). */
export const hasAttribute = (locator, name, expected, message) => eventually(async () => {
  const value = (await locator.getAttribute(name, quick)) ?? '';
  if (expected instanceof RegExp) assert.match(value, expected, message);
  else assert.equal(value, expected, message);
});

/** The full key shown in the row `label` (e.g. "Secret key 1") of a Get started page, once shown. */
export async function shownKey(p, label) {
  const code = rowOf(p, label).locator('code');
  await hasText(code, /^[a-z][a-z0-9-]*:(public|secret):\S+$/, `${label} is shown in full`);
  return (await code.textContent()).trim();
}

/** Waits until `text` is visible on the page (or inside a locator). */
export async function sees(p, text) {
  await p.getByText(text).first().waitFor({ state: 'visible' });
}

/** A call to the app API at `base` as the app's backend (with its secret key). */
export async function backend(base, pathname, body, secret) {
  const response = await fetch(`${base}${pathname}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ApiSecret: secret },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${pathname}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** With $CONSOLE_SCREENSHOTS set, saves a full-page screenshot there (to look at the UI). */
export async function shot(p, name) {
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (dir) await p.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

export const rowOf = (p, text) => p.locator('tbody tr', { hasText: text });
