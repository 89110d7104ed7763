// The official JS SDKs against a real `ferrokey serve`: the browser client
// (@passwordlessdev/passwordless-client 1.2.4) in headless Debian Chromium with a CDP virtual
// authenticator, and the Node backend SDK (@passwordlessdev/passwordless-nodejs 1.0.1) issuing
// register tokens and verifying the browser's tokens. The page is served on
// http://localhost:<port>, so origin and RP ID are the browser client's defaults.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { ApiException, PasswordlessClient, RegisterOptions } from '@passwordlessdev/passwordless-nodejs';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../../..');
const binary = process.env.FERROKEY_BIN || path.join(repo, 'target/debug/ferrokey');
const clientJs = path.join(here, 'node_modules/@passwordlessdev/passwordless-client/dist/iife/passwordless.iife.js');
const PAGE = `<!doctype html><meta charset="utf-8"><title>Ferrokey browser test</title>
<script src="/passwordless.iife.js"></script>
<script>
  const q = new URLSearchParams(location.search);
  window.client = new Passwordless.Client({ apiKey: q.get('apiKey'), apiUrl: q.get('apiUrl') });
</script><p>Ferrokey × passwordless-client</p>`;

let server, pages, ctx, app, api, web, sdk;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrokey-browser-'));

function listen(srv) {
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv.address().port)));
}

async function freePort() {
  const srv = http.createServer();
  const port = await listen(srv);
  await new Promise((r) => srv.close(r));
  return port;
}

/** A register token from the Node SDK. */
async function registerToken(userId, extra = {}) {
  const options = Object.assign(new RegisterOptions(), { userId, username: `${userId}@example.com` }, extra);
  const { token } = await sdk.createRegisterToken(options);
  assert.ok(token.startsWith('register_'), token);
  return token;
}

/** A fresh page with its own virtual authenticator (a ceremony on a page without one hangs). */
async function openPage(apiKey = app.apiKey) {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  });
  const sent = [];
  page.on('request', (r) => r.url().startsWith(api) && sent.push(new URL(r.url()).pathname));
  await page.goto(`${web}/?${new URLSearchParams({ apiKey, apiUrl: api })}`);
  await page.waitForFunction(() => !!window.client);
  return { page, cdp, authenticatorId, sent };
}

/** Verifies the browser's token with the Node SDK and checks the verified user. */
async function verified(result, want) {
  assert.ok(result?.token?.startsWith('verify_'), `client returned ${JSON.stringify(result)}`);
  const user = await sdk.verifyToken(result.token);
  assert.ok(user, 'the Node SDK verified the token');
  assert.equal(user.success, true);
  for (const [k, value] of Object.entries(want)) assert.equal(user[k], value, `${k} in ${JSON.stringify(user)}`);
  assert.equal(user.rpId, 'localhost');
  assert.equal(user.origin, web);
  // Verify tokens are single-use: the SDK reports a second verify as null.
  assert.equal(await sdk.verifyToken(result.token), null);
  return user;
}

before(async () => {
  const data = path.join(tmp, 'data');
  app = JSON.parse(execFileSync(binary, ['app', 'create', 'browserapp', '--data-dir', data], { encoding: 'utf8' }));
  const apiPort = await freePort();
  api = `http://127.0.0.1:${apiPort}`;
  server = spawn(binary, ['serve', '--addr', `127.0.0.1:${apiPort}`, '--data-dir', data], { stdio: 'ignore' });
  sdk = new PasswordlessClient(app.apiSecret, { baseUrl: api });
  pages = http.createServer((req, res) => {
    if (req.url.startsWith('/passwordless.iife.js')) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(clientJs));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    }
  });
  web = `http://localhost:${await listen(pages)}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${api}/health/http`)).ok) break; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  ctx = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await ctx?.close();
  pages?.close();
  server?.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('register, then sign in by id, alias, discoverable and step-up', async () => {
  const { page } = await openPage();
  const userId = 'browser-user';
  const token = await registerToken(userId, { aliases: ['ada@example.com'] });
  const registered = await page.evaluate((t) => client.register(t, 'Laptop'), token);
  await verified(registered, { userId, type: 'passkey_register', nickname: 'Laptop' });

  const byId = await page.evaluate((u) => client.signinWithId(u), userId);
  await verified(byId, { userId, type: 'passkey_signin', purpose: 'sign-in' });
  const byAlias = await page.evaluate(() => client.signinWithAlias('ada@example.com'));
  await verified(byAlias, { userId, type: 'passkey_signin' });
  const discoverable = await page.evaluate(() => client.signinWithDiscoverable());
  const v = await verified(discoverable, { userId, type: 'passkey_signin' });
  assert.match(v.device, /Chrome/);
  const stepUp = await page.evaluate((u) => client.stepup({ signinMethod: { userId: u }, purpose: 'step-up' }), userId);
  await verified(stepUp, { userId, purpose: 'step-up' });
  await page.screenshot({ path: path.join(tmp, 'page.png') });
});

test('the Node SDK reads refusals as problem details', async () => {
  await assert.rejects(sdk.createRegisterToken(Object.assign(new RegisterOptions(), { userId: 'x' })), (e) => {
    assert.ok(e instanceof ApiException, String(e));
    assert.equal(e.details.status, 400);
    assert.deepEqual(e.details.errors, { username: ['The Username field is required.'] });
    return true;
  });
  const wrong = new PasswordlessClient(app.apiSecret.replace(/.{4}$/, '0000'), { baseUrl: api });
  await assert.rejects(wrong.createRegisterToken(Object.assign(new RegisterOptions(), { userId: 'x', username: 'x' })), (e) => {
    assert.equal(e.details.status, 401);
    assert.equal(e.details.detail, "The value of your 'ApiSecret' is not valid.");
    return true;
  });
});

test('server refusals reach the page as JSON problems', async () => {
  const { page } = await openPage(app.apiKey.replace(/.{4}$/, '0000'));
  const result = await page.evaluate(() => client.signinWithDiscoverable());
  assert.equal(result.error?.from, 'server', JSON.stringify(result));
  assert.equal(result.error.status, 401);
  assert.equal(result.error.detail, "The value of your 'ApiKey' is not valid.");
});

test('a refused user verification stops at the client and nothing is registered', async () => {
  const { page, cdp, authenticatorId, sent } = await openPage();
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified: false });
  const token = await registerToken('uv-user', { userVerification: 'required' });
  const result = await page.evaluate((t) => client.register(t), token);
  assert.equal(result.error?.from, 'client', JSON.stringify(result));
  assert.deepEqual(sent, ['/register/begin'], 'the browser never completed');
  const signin = await page.evaluate(() => client.signinWithId('uv-user'));
  assert.equal(signin.error?.from, 'client', 'no passkey exists for the user');
  assert.equal((await fetch(`${api}/health/http`)).status, 200);
});
