// The backend-management methods of the official Node SDK
// (@passwordlessdev/passwordless-nodejs 1.0.1) against a real `ferrokey serve`.
//
// Proves that every SDK method hitting POST /alias, GET /alias/list, GET /credentials/list,
// POST /credentials/delete, POST /users/delete, POST /signin/generate-token and
// POST /magic-links/send (plus createRegisterToken / verifyToken) works unchanged — including the SDK's lowercase `?userid=` query and its exact
// `content-type: application/problem+json` check — and that the effects are real: an alias set
// through the SDK finds the passkey, a deleted passkey or user can no longer sign in, and
// refusals arrive as the SDK's ApiException with the server's problem details
// (API-CONTRACT.md 3.2-3.7, 7.2) — except where the SDK itself swallows errors:
// generateAuthenticationToken and verifyToken resolve to null on any error.
// Magic links are read back from the server's SQLite outbox (<data-dir>/outbox/*.eml); the app
// may send 10 per 5 minutes, and this file sends 6.
//
// Passkeys are registered for real with a small software authenticator (P-256 / ES256, 'none'
// attestation) that posts the browser client's exact JSON to /register/* and /signin/*.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  ApiException, GenerateAuthenticationTokenRequest, PasswordlessClient, RegisterOptions, SendMagicLinkRequest,
} from '@passwordlessdev/passwordless-nodejs';

const here = path.dirname(new URL(import.meta.url).pathname);
const repo = path.resolve(here, '../../..');
const binary = process.env.FERROKEY_BIN || path.join(repo, 'target/debug/ferrokey');
const RPID = 'example.com';
const ORIGIN = 'https://app.example.com';
const PROBLEM_TYPE = 'https://docs.passwordless.dev/guide/errors.html#';
// Magic links from an app younger than 24 h may only go to its admins (`app create --admin-email`).
const ADMIN_EMAIL = 'node-admin@example.com';
const MAIL_FROM = 'no-reply@ferrokey-node.test';

let server, app, api, sdk, outbox;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrokey-methods-'));

async function freePort() {
  const srv = http.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

before(async () => {
  const data = path.join(tmp, 'data');
  outbox = path.join(data, 'outbox');
  app = JSON.parse(execFileSync(binary, ['app', 'create', 'methodsapp', '--admin-email', ADMIN_EMAIL, '--data-dir', data], { encoding: 'utf8' }));
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  server = spawn(binary, ['serve', '--addr', `127.0.0.1:${port}`, '--data-dir', data], {
    stdio: 'ignore', env: { ...process.env, FERROKEY_MAIL_FROM: MAIL_FROM },
  });
  sdk = new PasswordlessClient(app.apiSecret, { baseUrl: api });
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${api}/health/http`)).ok) return; } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ferrokey serve did not become healthy');
});

after(() => {
  server?.kill();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// -- a software authenticator + the browser client's wire format ---------------------------

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const fromB64url = (s) => Buffer.from(s, 'base64url');
const sha256 = (data) => crypto.createHash('sha256').update(data).digest();

/** Minimal CBOR encoder: unsigned/negative ints, byte and text strings, Maps, plain objects. */
function cbor(value) {
  const head = (major, n) => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
    if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
    const b = Buffer.alloc(5); b[0] = (major << 5) | 26; b.writeUInt32BE(n, 1); return b;
  };
  if (Number.isInteger(value)) return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value]);
  if (typeof value === 'string') { const b = Buffer.from(value, 'utf8'); return Buffer.concat([head(3, b.length), b]); }
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

class SoftAuthenticator {
  constructor() {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    this.credentialId = crypto.randomBytes(16);
    this.counter = 0;
  }

  get id() { return b64url(this.credentialId); }

  /** COSE_Key, EC2 / ES256 / P-256, canonical key order. */
  get coseKey() {
    const { x, y } = this.publicKey.export({ format: 'jwk' });
    return cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, fromB64url(x)], [-3, fromB64url(y)]]));
  }

  clientData(type, challenge) {
    return Buffer.from(JSON.stringify({ type, challenge, origin: ORIGIN, crossOrigin: false }));
  }

  create(options) {
    assert.ok(options.pubKeyCredParams.some((p) => p.alg === -7), 'ES256 offered');
    const idLen = Buffer.alloc(2); idLen.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      sha256(options.rp.id), Buffer.from([0x45]) /* UP | UV | AT */, Buffer.alloc(4) /* counter 0 */,
      Buffer.alloc(16) /* AAGUID */, idLen, this.credentialId, this.coseKey,
    ]);
    const attestationObject = cbor(new Map([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData]]));
    return {
      id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: { credProps: { rk: true } },
      response: { AttestationObject: b64url(attestationObject), clientDataJson: b64url(this.clientData('webauthn.create', options.challenge)) },
    };
  }

  get(options) {
    const counter = Buffer.alloc(4); counter.writeUInt32BE(++this.counter);
    const authData = Buffer.concat([sha256(options.rpId), Buffer.from([0x05]) /* UP | UV */, counter]);
    const clientData = this.clientData('webauthn.get', options.challenge);
    const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: {},
      response: { authenticatorData: b64url(authData), clientDataJson: b64url(clientData), signature: b64url(signature) },
    };
  }
}

/** POST as @passwordlessdev/passwordless-client does (public ApiKey, RPID/Origin in the body). */
async function browserPost(route, body) {
  const res = await fetch(`${api}/${route}`, {
    method: 'POST',
    headers: { ApiKey: app.apiKey, 'Content-Type': 'application/json', 'Client-Version': 'js-1.1.0' },
    body: JSON.stringify({ ...body, RPID, Origin: ORIGIN }),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.json() };
}

async function browserOk(route, body) {
  const res = await browserPost(route, body);
  assert.equal(res.status, 200, `${route}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const uniq = (prefix) => `${prefix}-${crypto.randomBytes(6).toString('hex')}`;
const aliasHash = (alias) => sha256(app.appId + alias).toString('base64');

/** createRegisterToken → /register/begin → create → /register/complete → verifyToken. */
async function registerPasskey(userId, { aliases, nickname = 'Node soft key' } = {}) {
  const options = Object.assign(new RegisterOptions(), { userId, username: userId }, aliases ? { aliases } : {});
  const { token } = await sdk.createRegisterToken(options);
  assert.ok(token.startsWith('register_'), token);
  const authenticator = new SoftAuthenticator();
  const begin = await browserOk('register/begin', { token });
  const complete = await browserOk('register/complete', { session: begin.session, response: authenticator.create(begin.data), nickname });
  const user = await sdk.verifyToken(complete.token);
  assert.ok(user, 'verifyToken accepted the register verify token');
  assert.equal(user.success, true);
  assert.equal(user.userId, userId);
  assert.equal(user.type, 'passkey_register');
  assert.equal(user.nickname, nickname);
  assert.equal(user.credentialId, authenticator.credentialId.toString('base64'));
  return authenticator;
}

/** Credential ids the server offers at /signin/begin for a userId or alias. */
async function allowed(by) {
  const begin = await browserOk('signin/begin', by);
  return (begin.data.allowCredentials || []).map((d) => d.id);
}

/** A full sign-in; returns the raw /signin/complete answer. */
async function signIn(authenticator, by = {}) {
  const begin = await browserOk('signin/begin', by);
  return browserPost('signin/complete', { session: begin.session, response: authenticator.get(begin.data) });
}

async function signInUserId(authenticator, by = {}) {
  const res = await signIn(authenticator, by);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const user = await sdk.verifyToken(res.body.token);
  assert.ok(user, 'verifyToken accepted the sign-in token');
  assert.equal(user.type, 'passkey_signin');
  return user.userId;
}

async function assertSignInRefused(authenticator) {
  const res = await signIn(authenticator); // discoverable: the authenticator answers anyway
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.contentType, 'application/problem+json');
  assert.equal(res.body.errorCode, 'unknown_credential');
  assert.equal(res.body.credentialId, authenticator.id);
}

/** The promise rejects with the SDK's ApiException carrying the server's problem details. */
async function assertApiException(promise, status, errorCode) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ApiException, `not an ApiException: ${e}`);
    // "unexpected_error" is what the SDK makes up when content-type is not exactly problem+json.
    assert.notEqual(e.details.errorCode, 'unexpected_error', JSON.stringify(e.details));
    assert.equal(e.details.status, status, JSON.stringify(e.details));
    assert.ok(e.details.type.startsWith(PROBLEM_TYPE), e.details.type);
    if (errorCode) {
      assert.equal(e.details.errorCode, errorCode);
      assert.equal(e.details.type, PROBLEM_TYPE + errorCode);
    }
    return true;
  });
}

// -- tests ---------------------------------------------------------------------------------

test('createRegisterToken + verifyToken register a passkey that then signs in', async () => {
  const userId = uniq('reg');
  const authenticator = await registerPasskey(userId);
  assert.equal(await signInUserId(authenticator, { userId }), userId);
  assert.deepEqual(await allowed({ userId }), [authenticator.id]);
});

for (const hashing of [true, false]) {
  test(`setAliases (hashing ${hashing}) → listAliases, and the aliases sign in`, async () => {
    const userId = uniq('alias');
    const authenticator = await registerPasskey(userId);
    const aliases = [`${uniq('a')}@example.com`, `${uniq('b')}@example.com`];
    const res = await sdk.setAliases({ userId, aliases, hashing });
    assert.equal(res.status, 204);

    const listed = await sdk.listAliases(userId); // GET alias/list?userid=
    assert.deepEqual(listed.map((a) => a.alias).sort(), aliases.map(aliasHash).sort());
    for (const alias of aliases) {
      const entry = listed.find((a) => a.alias === aliasHash(alias));
      assert.equal(entry.userId, userId);
      assert.equal(entry.tenant, app.appId);
      assert.equal(entry.plaintext, hashing ? null : alias);
      assert.deepEqual(await allowed({ alias }), [authenticator.id]);
      assert.equal(await signInUserId(authenticator, { alias }), userId);
    }
  });
}

test('setAliases replaces the whole set; an empty list clears it', async () => {
  const userId = uniq('replace');
  const authenticator = await registerPasskey(userId, { aliases: [`${uniq('reg')}@example.com`] });
  assert.equal((await sdk.listAliases(userId)).length, 1, 'the register token alias was stored');
  const [a, b, c] = [uniq('a'), uniq('b'), uniq('c')];
  await sdk.setAliases({ userId, aliases: [a, b], hashing: false });
  assert.deepEqual((await sdk.listAliases(userId)).map((x) => x.plaintext).sort(), [a, b].sort());

  await sdk.setAliases({ userId, aliases: [b, c], hashing: false });
  assert.deepEqual((await sdk.listAliases(userId)).map((x) => x.plaintext).sort(), [b, c].sort());
  assert.deepEqual(await allowed({ alias: a }), []);
  assert.deepEqual(await allowed({ alias: c }), [authenticator.id]);

  await sdk.setAliases({ userId, aliases: [], hashing: false });
  assert.deepEqual(await sdk.listAliases(userId), []);
  assert.deepEqual(await allowed({ alias: b }), []);
  assert.equal(await signInUserId(authenticator, { userId }), userId, 'the passkey is untouched');
});

test('an alias owned by another user is ApiException 409 alias_conflict, and nothing changes', async () => {
  const owner = uniq('owner');
  const other = uniq('other');
  const ownerKey = await registerPasskey(owner);
  const [shared, own] = [uniq('shared'), uniq('own')];
  await sdk.setAliases({ userId: owner, aliases: [shared], hashing: true });
  await sdk.setAliases({ userId: other, aliases: [own], hashing: false });

  await assertApiException(sdk.setAliases({ userId: other, aliases: [own, shared], hashing: true }), 409, 'alias_conflict');
  await assertApiException(
    sdk.createRegisterToken(Object.assign(new RegisterOptions(), { userId: other, username: other, aliases: [shared] })),
    409, 'alias_conflict');

  assert.deepEqual((await sdk.listAliases(owner)).map((x) => x.alias), [aliasHash(shared)]);
  assert.deepEqual((await sdk.listAliases(other)).map((x) => x.plaintext), [own]);
  assert.deepEqual(await allowed({ alias: shared }), [ownerKey.id]);
});

test('listCredentials returns the registered passkey', async () => {
  const userId = uniq('creds');
  const started = Date.now() - 5000;
  const authenticator = await registerPasskey(userId, { nickname: 'Laptop' });
  await registerPasskey(uniq('stranger')); // someone else's passkey is not listed

  const creds = await sdk.listCredentials(userId); // GET credentials/list?userid=
  assert.equal(creds.length, 1, JSON.stringify(creds));
  const [cred] = creds;
  assert.equal(cred.descriptor.type, 'public-key');
  assert.equal(cred.descriptor.id, authenticator.id);
  assert.deepEqual(Buffer.from(cred.publicKey, 'base64'), authenticator.coseKey);
  assert.equal(Buffer.from(cred.userHandle, 'base64').toString('utf8'), userId);
  assert.equal(cred.userId, userId);
  assert.equal(cred.signatureCounter, 0);
  assert.equal(cred.attestationFmt, 'none');
  assert.equal(cred.aaGuid, '00000000-0000-0000-0000-000000000000');
  assert.equal(cred.rpid, RPID);
  assert.equal(cred.origin, ORIGIN);
  assert.equal(cred.nickname, 'Laptop');
  assert.equal(typeof cred.country, 'string');
  assert.equal(typeof cred.device, 'string');
  const created = Date.parse(cred.createdAt.endsWith('Z') ? cred.createdAt : `${cred.createdAt}Z`);
  assert.ok(created >= started && created <= Date.now() + 5000, cred.createdAt);
  const lastUsed = Date.parse(cred.lastUsedAt.endsWith('Z') ? cred.lastUsedAt : `${cred.lastUsedAt}Z`);
  assert.ok(lastUsed >= created, `lastUsedAt ${cred.lastUsedAt} before createdAt ${cred.createdAt}`);

  await signInUserId(authenticator, { userId });
  const [used] = await sdk.listCredentials(userId);
  assert.equal(used.signatureCounter, 1);
  assert.equal(used.createdAt, cred.createdAt);
  assert.ok(Date.parse(`${used.lastUsedAt.replace(/Z$/, '')}Z`) >= lastUsed, used.lastUsedAt);

  assert.deepEqual(await sdk.listCredentials(uniq('nobody')), []);
});

test('deleteCredential removes that passkey only; it can no longer sign in; unknown ids are 404', async () => {
  const userId = uniq('delcred');
  const doomed = await registerPasskey(userId);
  const kept = await registerPasskey(userId);
  assert.equal(await signInUserId(doomed), userId, 'control: the passkey signs in before the delete');
  assert.deepEqual((await sdk.listCredentials(userId)).map((c) => c.descriptor.id).sort(), [doomed.id, kept.id].sort());

  // The SDK takes the raw id bytes and sends base64url.
  const res = await sdk.deleteCredential(new Uint8Array(doomed.credentialId));
  assert.equal(res.status, 204);
  assert.deepEqual((await sdk.listCredentials(userId)).map((c) => c.descriptor.id), [kept.id]);
  assert.deepEqual(await allowed({ userId }), [kept.id]);
  await assertSignInRefused(doomed);
  assert.equal(await signInUserId(kept, { userId }), userId);

  await assertApiException(sdk.deleteCredential(new Uint8Array(doomed.credentialId)), 404, 'credential_not_found');
  await assertApiException(sdk.deleteCredential(new Uint8Array(crypto.randomBytes(16))), 404, 'credential_not_found');
  assert.equal((await sdk.listCredentials(userId)).length, 1);
});

test('deleteUser removes the passkeys and aliases; they no longer sign in', async () => {
  const userId = uniq('deluser');
  const first = await registerPasskey(userId);
  const second = await registerPasskey(userId);
  const alias = uniq('gone');
  await sdk.setAliases({ userId, aliases: [alias], hashing: false });
  const bystanderId = uniq('bystander');
  const bystander = await registerPasskey(bystanderId, { aliases: [uniq('by')] });
  assert.equal(await signInUserId(first, { alias }), userId, 'control: signs in before the delete');

  const res = await sdk.deleteUser(userId);
  assert.equal(res.status, 200);
  assert.deepEqual(await sdk.listCredentials(userId), []);
  assert.deepEqual(await sdk.listAliases(userId), []);
  assert.deepEqual(await allowed({ userId }), []);
  assert.deepEqual(await allowed({ alias }), []);
  await assertSignInRefused(first);
  await assertSignInRefused(second);

  // The alias is free again; the other user is untouched.
  await sdk.setAliases({ userId: uniq('newcomer'), aliases: [alias], hashing: false });
  assert.equal((await sdk.listCredentials(bystanderId)).length, 1);
  assert.equal((await sdk.listAliases(bystanderId)).length, 1);
  assert.equal(await signInUserId(bystander, { userId: bystanderId }), bystanderId);
});

test('an empty userid is ApiException 400', async () => {
  await assertApiException(sdk.listAliases(''), 400);
  await assertApiException(sdk.listCredentials(''), 400);
});

// -- generated sign-in tokens, magic links (API-CONTRACT.md 3.2, 3.6, 3.7) -----------------

const GENERATE_DISABLED = "The 'POST /signin/generate-token' endpoint is disabled";
const MAGIC_LINKS_DISABLED = 'You must enable Magic Links in settings in order to use this feature.';
const NO_TOKEN_TEMPLATE = 'You have provided a UrlTemplate without a $TOKEN template. Please include it like so: https://www.example.com?token=$TOKEN';
const VALIDATION_TYPE = 'https://tools.ietf.org/html/rfc9110#section-15.5.1';

/** A raw backend POST (the Node SDK has no features method, and it hides generate-token errors). */
async function secretPost(route, body) {
  const res = await fetch(`${api}/${route}`, {
    method: 'POST',
    headers: { ApiSecret: app.apiSecret, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}

async function setFeatures(features) {
  const res = await secretPost('apps/features', features);
  assert.equal(res.status, 204, JSON.stringify(res.body));
}

/** What verifyToken returned for a token no WebAuthn ceremony produced; once only. */
async function assertVerifiedOnce(token, { userId, type, ttl, purpose, issuedAfter }) {
  const user = await sdk.verifyToken(token);
  assert.ok(user, `verifyToken refused ${token}`);
  assert.equal(user.success, true);
  assert.equal(user.userId, userId);
  assert.equal(user.type, type);
  assert.equal(user.purpose, purpose);
  for (const member of ['origin', 'device', 'country', 'credentialId']) assert.equal(user[member], '', `${member} in ${JSON.stringify(user)}`);
  assert.equal(user.nickname, null);
  const issued = Date.parse(user.timestamp);
  assert.ok(issued >= issuedAfter - 2000 && issued <= Date.now() + 2000, user.timestamp);
  const lifetime = (Date.parse(user.expiresAt) - issued) / 1000;
  assert.ok(Math.abs(lifetime - ttl) < 1, `expiresAt - timestamp = ${lifetime}s, want ${ttl}s`);
  // Single-use (Ferrokey decision); the SDK reports the refusal as null.
  assert.equal(await sdk.verifyToken(token), null, 'a verify token works once');
  const replay = await secretPost('signin/verify', { token });
  assert.equal(replay.status, 400);
  assert.equal(replay.body.errorCode, 'invalid_token');
  return user;
}

/** Every message in the outbox to `to`, oldest first: { to, from, subject, text, html }. */
function mailTo(to) {
  if (!fs.existsSync(outbox)) return [];
  return fs.readdirSync(outbox).filter((n) => n.endsWith('.eml')).sort().map((name) => {
    const eml = fs.readFileSync(path.join(outbox, name), 'utf8');
    const header = (h) => (eml.match(new RegExp(`^${h}: (.*)$`, 'mi')) || [])[1]?.trim();
    const boundary = (eml.match(/boundary="([^"]+)"/) || [])[1];
    const parts = boundary ? eml.split(`--${boundary}`).slice(1, -1) : [];
    const part = (type) => {
      const found = parts.find((p) => new RegExp(`^\\s*Content-Type: ${type}`, 'i').test(p));
      return found === undefined ? undefined : found.slice(found.search(/\r?\n\r?\n/)).trim();
    };
    return { to: header('To'), from: header('From'), subject: header('Subject'), text: part('text/plain'), html: part('text/html') };
  }).filter((m) => m.to?.toLowerCase() === to.toLowerCase());
}

const unescapeHtml = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The one new message to `to` since `before`, with its link checked against the template. */
function newMagicLink(to, before, template) {
  const fresh = mailTo(to).slice(before.length);
  assert.equal(fresh.length, 1, `new messages to ${to}: ${JSON.stringify(fresh)}`);
  const [mail] = fresh;
  const host = new URL(template.replace(/\$token/gi, 'x')).host;
  assert.equal(mail.to, to);
  assert.equal(mail.subject, `Sign in to ${host}`);
  assert.equal(mail.from, `"Sign in to ${host}" <${MAIL_FROM}>`);
  const buttons = [...(mail.html ?? '').matchAll(/<a href="([^"]*)"[^>]*>Click here to sign in<\/a>/g)];
  assert.equal(buttons.length, 1, mail.html);
  const link = unescapeHtml(buttons[0][1]);
  assert.equal(mail.text, `Please click the link or copy into your browser of choice to log in to ${host}: ${link}. If you did not request this email, it is safe to ignore.`);
  const escaped = template.split(/\$token/i).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const match = link.match(new RegExp(`^${escaped.join('(verify_[A-Za-z0-9_-]+)')}$`));
  assert.ok(match, `link ${link} is not ${template} with a verify token`);
  assert.equal(new Set(match.slice(1)).size, 1, 'the same token for every $TOKEN');
  return match[1];
}

for (const ttl of [undefined, 600]) {
  test(`generateAuthenticationToken (timeToLive ${ttl}) → verifyToken once, type generated_signin`, async () => {
    const userId = uniq('gen'); // the endpoint does not require the user to exist
    const issuedAfter = Date.now();
    const generated = await sdk.generateAuthenticationToken(new GenerateAuthenticationTokenRequest(userId, ttl));
    assert.ok(generated, 'generateAuthenticationToken returned null');
    assert.deepEqual(Object.keys(generated), ['token']);
    assert.ok(generated.token.startsWith('verify_'), generated.token);
    await assertVerifiedOnce(generated.token, { userId, type: 'generated_signin', ttl: ttl ?? 120, purpose: 'sign-in', issuedAfter });
  });
}

test('generateAuthenticationToken posts the request object as is: a purpose reaches the token', async () => {
  const userId = uniq('genpurpose');
  const issuedAfter = Date.now();
  const generated = await sdk.generateAuthenticationToken({ userId, timeToLive: 300, purpose: 'step-up' });
  assert.ok(generated?.token?.startsWith('verify_'), JSON.stringify(generated));
  await assertVerifiedOnce(generated.token, { userId, type: 'generated_signin', ttl: 300, purpose: 'step-up', issuedAfter });
});

test('generateAuthenticationToken resolves to null when the server refuses (SDK swallows the error)', async () => {
  for (const request of [new GenerateAuthenticationTokenRequest(uniq('genbad'), 0),
    new GenerateAuthenticationTokenRequest(uniq('genbad'), 604801),
    new GenerateAuthenticationTokenRequest('', 60)]) {
    assert.equal(await sdk.generateAuthenticationToken(request), null, JSON.stringify(request));
    // The same body, raw: a validation 400 (so the null above is the server's refusal).
    const raw = await secretPost('signin/generate-token', request);
    assert.equal(raw.status, 400, JSON.stringify(raw.body));
    assert.equal(raw.contentType, 'application/problem+json');
    assert.equal(raw.body.type, VALIDATION_TYPE);
    assert.deepEqual(Object.keys(raw.body.errors), [request.userId ? 'timeToLive' : 'userId'], JSON.stringify(raw.body));
  }
});

test('generate-token switched off (POST /apps/features): SDK null, server 403; on again: works', async () => {
  const userId = uniq('genswitch');
  assert.ok(await sdk.generateAuthenticationToken(new GenerateAuthenticationTokenRequest(userId)), 'control: on by default');
  await setFeatures({ enableManuallyGeneratedAuthenticationTokens: false });
  try {
    assert.equal(await sdk.generateAuthenticationToken(new GenerateAuthenticationTokenRequest(userId)), null);
    const raw = await secretPost('signin/generate-token', { userId });
    assert.equal(raw.status, 403);
    assert.equal(raw.contentType, 'application/problem+json');
    assert.equal(raw.body.title, GENERATE_DISABLED);
    assert.equal(raw.body.errorCode ?? null, null);
  } finally {
    await setFeatures({ enableManuallyGeneratedAuthenticationTokens: true });
  }
  const issuedAfter = Date.now();
  const generated = await sdk.generateAuthenticationToken(new GenerateAuthenticationTokenRequest(userId, 60));
  assert.ok(generated, 'generateAuthenticationToken works again');
  await assertVerifiedOnce(generated.token, { userId, type: 'generated_signin', ttl: 60, purpose: 'sign-in', issuedAfter });
});

for (const [ttl, template] of [
  [undefined, 'https://app.example.com/login?next=%2Fhome&token=$TOKEN'],
  [900, 'https://shop.example.net/magic/$token/go?x=1&y=$Token'],
]) {
  test(`sendMagicLink (timeToLive ${ttl}) → outbox → verifyToken once, type magic_link`, async () => {
    const userId = uniq('magic');
    const before = mailTo(ADMIN_EMAIL);
    const issuedAfter = Date.now();
    const res = await sdk.sendMagicLink(new SendMagicLinkRequest(ADMIN_EMAIL, template, userId, ttl));
    assert.equal(res.status, 204); // the SDK hands back the axios response
    assert.equal(res.data, '');
    const token = newMagicLink(ADMIN_EMAIL, before, template);
    await assertVerifiedOnce(token, { userId, type: 'magic_link', ttl: ttl ?? 3600, purpose: null, issuedAfter });
  });
}

test('sendMagicLink refusals are ApiExceptions: no $TOKEN (400), a stranger from a young app (403)', async () => {
  const before = mailTo(ADMIN_EMAIL);
  await assert.rejects(
    sdk.sendMagicLink(new SendMagicLinkRequest(ADMIN_EMAIL, 'https://app.example.com/login?token=', uniq('notoken'))),
    (e) => {
      assert.ok(e instanceof ApiException, `not an ApiException: ${e}`);
      assert.notEqual(e.details.errorCode, 'unexpected_error', JSON.stringify(e.details));
      assert.equal(e.details.status, 400);
      assert.equal(e.details.type, VALIDATION_TYPE);
      assert.deepEqual(e.details.errors, { urlTemplate: [NO_TOKEN_TEMPLATE] });
      return true;
    });
  assert.equal(mailTo(ADMIN_EMAIL).length, before.length, 'no mail for a refused request');

  const stranger = `${uniq('stranger')}@example.com`;
  await assertApiException(
    sdk.sendMagicLink(new SendMagicLinkRequest(stranger, 'https://app.example.com/login?token=$TOKEN', uniq('stranger'))),
    403, 'magic_link_email_admin_address_only');
  assert.deepEqual(mailTo(stranger), []);
});

test('magic links switched off (POST /apps/features): ApiException 403; on again: sent', async () => {
  const template = 'https://app.example.com/login?token=$TOKEN';
  const before = mailTo(ADMIN_EMAIL);
  await setFeatures({ enableMagicLinks: false });
  try {
    await assert.rejects(sdk.sendMagicLink(new SendMagicLinkRequest(ADMIN_EMAIL, template, uniq('off'))), (e) => {
      assert.ok(e instanceof ApiException, `not an ApiException: ${e}`);
      assert.equal(e.details.status, 403, JSON.stringify(e.details));
      assert.equal(e.details.title, MAGIC_LINKS_DISABLED);
      assert.equal(e.details.errorCode ?? null, null);
      return true;
    });
    assert.equal(mailTo(ADMIN_EMAIL).length, before.length, 'no mail while switched off');
  } finally {
    await setFeatures({ enableMagicLinks: true });
  }
  const userId = uniq('on');
  const issuedAfter = Date.now();
  assert.equal((await sdk.sendMagicLink(new SendMagicLinkRequest(ADMIN_EMAIL, template, userId))).status, 204);
  const token = newMagicLink(ADMIN_EMAIL, before, template);
  await assertVerifiedOnce(token, { userId, type: 'magic_link', ttl: 3600, purpose: null, issuedAfter });
});
