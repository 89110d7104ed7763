#!/usr/bin/env python3
"""Writes the seed files in corpus/<target>/ (python3, standard library only).

Re-running it rewrites the same files byte for byte; seeds added by hand are kept."""
import os, json, base64, hashlib, struct
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'corpus')
def b64u(b, pad=False):
    s = base64.urlsafe_b64encode(b).decode()
    return s if pad else s.rstrip('=')

# --- minimal CBOR encoder ---
def head(major, n):
    if n < 24: return bytes([major << 5 | n])
    if n < 256: return bytes([major << 5 | 24, n])
    if n < 65536: return bytes([major << 5 | 25]) + struct.pack('>H', n)
    return bytes([major << 5 | 26]) + struct.pack('>I', n)
def cbor(v):
    if isinstance(v, bool): return b'\xf5' if v else b'\xf4'
    if isinstance(v, int): return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes): return head(2, len(v)) + v
    if isinstance(v, str): e = v.encode(); return head(3, len(e)) + e
    if isinstance(v, list): return head(4, len(v)) + b''.join(cbor(x) for x in v)
    if isinstance(v, dict): return head(5, len(v)) + b''.join(cbor(k) + cbor(x) for k, x in v.items())
    raise TypeError(v)

rp_hash = hashlib.sha256(b'example.com').digest()
aaguid = bytes.fromhex('adce000235bcc60a648b0b25f1f05503')
cred_id = bytes(range(16))
# COSE EC2 P-256 key (kty 2, alg -7, crv 1, x, y); a fixed point-shaped blob is enough here.
cose = cbor({1: 2, 3: -7, -1: 1, -2: bytes(range(32)), -3: bytes(range(32, 64))})
def auth_data(flags, cid=cred_id, key=cose, ext=None):
    d = rp_hash + bytes([flags]) + struct.pack('>I', 0)
    if flags & 0x40:
        d += aaguid + struct.pack('>H', len(cid)) + cid + key
    if ext is not None:
        d += cbor(ext)
    return d

seeds = {}
none_att = cbor({'fmt': 'none', 'attStmt': {}, 'authData': auth_data(0x45)})
packed = cbor({'fmt': 'packed', 'attStmt': {'alg': -7, 'sig': bytes(70)}, 'authData': auth_data(0x5d)})
ext = cbor({'fmt': 'none', 'attStmt': {}, 'authData': auth_data(0xc5, ext={'credProtect': 2})})
no_at = cbor({'fmt': 'none', 'attStmt': {}, 'authData': auth_data(0x05)})
rsa_key = cbor({1: 3, 3: -257, -1: bytes(256), -2: bytes([1, 0, 1])})
rsa = cbor({'fmt': 'none', 'attStmt': {}, 'authData': auth_data(0x45, cid=bytes(64), key=rsa_key)})
long_id = cbor({'fmt': 'none', 'attStmt': {}, 'authData': auth_data(0x45)[:53] + b'\xff\xff' + cred_id})
seeds['attestation'] = {'none_es256': none_att, 'packed_be_bs': packed, 'with_extensions': ext,
                        'no_attested_data': no_at, 'none_rs256': rsa, 'cred_id_len_too_long': long_id}

client_reg = json.dumps({'type': 'webauthn.create', 'challenge': b64u(bytes(32)),
                         'origin': 'https://example.com', 'crossOrigin': False}).encode()
client_get = json.dumps({'type': 'webauthn.get', 'challenge': b64u(bytes(32)),
                         'origin': 'https://app.example.com'}).encode()
reg = {'session': 'session_' + b64u(bytes(24)), 'origin': 'https://example.com', 'RPID': 'example.com',
       'nickname': 'laptop',
       'response': {'id': b64u(cred_id), 'rawId': b64u(cred_id), 'type': 'public-key',
                    'clientExtensionResults': {'credProps': {'rk': True}},
                    'response': {'attestationObject': b64u(none_att), 'clientDataJSON': b64u(client_reg),
                                 'transports': ['internal', 'hybrid', 'usb', 'bogus']}}}
sig = {'session': 'session_' + b64u(bytes(range(24))), 'origin': 'https://app.example.com', 'rpid': 'example.com',
       'response': {'id': b64u(cred_id), 'rawId': b64u(cred_id), 'type': 'public-key', 'extensions': {},
                    'response': {'authenticatorData': b64u(auth_data(0x05)), 'clientDataJSON': b64u(client_get),
                                 'signature': b64u(bytes(70)), 'userHandle': b64u(b'user-1')}}}
sig_padded = json.loads(json.dumps(sig))
sig_padded['response'].pop('rawId')
sig_padded['response']['id'] = b64u(b'\x01', pad=True)
sig_padded['response']['response']['signature'] = b64u(bytes(71), pad=True)
sig_padded['response']['response']['userHandle'] = ''
begin = {'UserId': 123, 'ALIAS': 'alice@example.com', 'Origin': 'http://localhost:5173', 'RPID': 'localhost',
         'purpose': 'step-up', 'token': 'register_' + b64u(bytes(24))}
tok = {'userId': 'u1', 'username': 'alice@example.com', 'displayName': 'Alice', 'attestation': 'none',
       'authenticatorType': 'any', 'discoverable': True, 'userVerification': 'preferred',
       'aliases': ['alice', 42, None], 'aliasHashing': False, 'hints': ['client-device'],
       'expiresAt': '2030-01-01T00:00:00Z'}
tok_naive = {'USERID': 'u2', 'username': 'bob', 'expiresat': '2030-01-01T12:30:45.123456', 'aliases': []}
tok_offset = {'userid': 7, 'expiresAt': '2029-12-31T23:59:59+05:30', 'hints': None}
seeds['json_body'] = {
    'register_complete': json.dumps(reg).encode(),
    'signin_complete': json.dumps(sig).encode(),
    'signin_complete_padded_no_rawid': json.dumps(sig_padded).encode(),
    'begin_mixed_case': json.dumps(begin).encode(),
    'register_token': json.dumps(tok).encode(),
    'register_token_naive_time': json.dumps(tok_naive).encode(),
    'register_token_offset_time': json.dumps(tok_offset).encode(),
    'empty': b'',
    'deep_near_limit': ('{"a":' + '[' * 63 + '1' + ']' * 63 + '}').encode(),
}

def tok_of(prefix, raw): return prefix + b64u(raw)
seeds['tokens'] = {
    'register': tok_of('register_', bytes(range(24))).encode(),
    'session': tok_of('session_', bytes(range(100, 124))).encode(),
    'verify': tok_of('verify_', bytes(range(200, 224))).encode(),
    'verify_upper': tok_of('VERIFY_', b'\xff' * 24).encode(),
    'session_short': b'session_YWJj',
    'multibyte_at_prefix': 'verif\u00e9_' .encode() + b64u(bytes(24)).encode(),
    'register_std_alphabet': b'register_' + base64.b64encode(b'\xfb\xff' * 12),
}

seeds['user_agent'] = {
    'mac_chrome': b'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    'iphone_safari': b'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
    'windows_edge': b'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
    'android_chrome': b'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
    'linux_firefox': b'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
    'samsung': b'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
    'crios_ipad': b'Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
    'cros_headless': b'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36',
    'non_ascii_after_marker': 'Android \u0663\u0664 Mac OS X \u00e9'.encode(),
    'python': b'python-requests/2.31',
}

seeds['rp'] = {
    'apex': b'example.com\nhttps://example.com',
    'subdomain_port': b'Example.COM\nhttps://App.Example.com:8443/path?q=1',
    'localhost_http': b'localhost\nhttp://localhost:5173',
    'sub_localhost': b'app.localhost\nhttp://app.localhost:3000',
    'evil': b'example.com\nhttps://notexample.com',
    'http_not_local': b'example.com\nhttp://example.com',
    'ip': b'127.0.0.1\nhttp://127.0.0.1:8080',
    'idn': ' xn--bcher-kva.example \nhttps://b\u00fccher.xn--bcher-kva.example'.encode(),
    'userinfo': b'example.com\nhttps://user:pass@example.com:443/',
    'no_newline': b'localhost',
    # fuzz/crashes/rp: 511 bytes that IDNA grew to a 1,331-byte origin before 595dd45.
    'idna_growth': ('example.com\nhttps://' + '\u00fc.' * 164 + 'example.com').encode(),
}

for target, files in seeds.items():
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
