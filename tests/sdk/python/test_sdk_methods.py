"""The backend-management methods of the official Python SDK (``passwordless==2.0.0``).

Proves that ``set_alias``, ``get_aliases``, ``get_users``, ``get_credentials``,
``delete_credential``, ``delete_user``, ``generate_authentication_token``, ``send_magic_link``
and ``update_apps_feature`` work unchanged against a real ``ferrokey serve`` (on both stores,
see conftest.py), and that their effects are real: aliases set through the SDK sign a user in,
a deleted passkey or user can no longer sign in, generated tokens and mailed magic links verify
once through ``sign_in``, and refusals reach the SDK as ``PasswordlessError`` with the server's
problem details (API-CONTRACT.md 3.2-3.7, 7.1).

Magic links are read back from the mail the server really sent: ``<data_dir>/outbox/*.eml`` on
SQLite, moto's SES store on DynamoDB (``/moto-api/data.json``, which dumps all of moto and takes
seconds, so each test reads it as rarely as it can: every link template carries a nonce that
finds the test's own message). The shared app allows 10 sends per 5 minutes, so this module
sends at most 7 on it; the rate-limit test uses an app of its own.

Passkeys are registered for real: SDK ``register_token`` -> ``BrowserClient`` (the JS
client's wire format) -> ``SoftAuthenticator``. The server is shared by every test of the
session, so each test uses its own user ids and aliases.
"""

from __future__ import annotations

import base64
import datetime
import email
import email.policy
import email.utils
import hashlib
import html
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import cbor2
import pytest
import requests
from passwordless import (
    Alias,
    Credential,
    DeleteCredential,
    DeleteUser,
    GenerateAuthenticationTokenOptions,
    GeneratedAuthenticationToken,
    PasswordlessClient,
    PasswordlessError,
    RegisterToken,
    SendMagicLinkOptions,
    SetAlias,
    UpdateAppsFeature,
    UserSummary,
    VerifiedUser,
    VerifySignIn,
)

from conftest import (
    MAIL_FROM,
    ORIGIN,
    RPID,
    BrowserClient,
    HttpError,
    RecordingSession,
    Server,
    build_sdk,
)
from softauthn import SoftAuthenticator, b64url_decode, b64url_encode

PROBLEM_TYPE_PREFIX = "https://docs.passwordless.dev/guide/errors.html#"
NICKNAME = "Methods test key"
ZERO_AAGUID = "00000000-0000-0000-0000-000000000000"


# -- helpers ---------------------------------------------------------------------------


def new_user_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def new_alias(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.com"


def alias_hash(app_id: str, alias: str) -> str:
    """API-CONTRACT.md 8.4: standard base64 of SHA-256(UTF-8(tenant + alias))."""
    return base64.b64encode(hashlib.sha256((app_id + alias).encode("utf-8")).digest()).decode("ascii")


@dataclass
class Passkey:
    user_id: str
    authenticator: SoftAuthenticator


def register_passkey(
    sdk: PasswordlessClient,
    browser: BrowserClient,
    user_id: str,
    *,
    aliases: Optional[List[str]] = None,
    nickname: Optional[str] = NICKNAME,
) -> Passkey:
    """SDK register_token -> /register/begin -> create -> /register/complete -> SDK sign_in."""
    token = sdk.register_token(
        RegisterToken(user_id=user_id, username=user_id, aliases=list(aliases or []))
    ).token
    authenticator = SoftAuthenticator()
    complete = browser.register(token, authenticator, nickname=nickname)
    verified = sdk.sign_in(VerifySignIn(token=complete["token"]))
    assert verified.user_id == user_id and verified.type == "passkey_register", verified
    return Passkey(user_id, authenticator)


def sign_in(
    sdk: PasswordlessClient,
    browser: BrowserClient,
    authenticator: SoftAuthenticator,
    **begin: Any,
) -> str:
    """A full sign-in (begin -> get -> complete -> SDK verify); returns the verified userId."""
    complete = browser.signin(authenticator, **begin)
    return sdk.sign_in(VerifySignIn(token=complete["token"])).user_id


def allowed_ids(browser: BrowserClient, **begin: Any) -> List[bytes]:
    data = browser.signin_begin(**begin)["data"]
    return [b64url_decode(d["id"]) for d in data.get("allowCredentials") or []]


def assert_sdk_problem(
    err: PasswordlessError, session: RecordingSession, status: int, error_code: Optional[str] = None
) -> Dict[str, Any]:
    """The SDK parsed real problem details; returns the raw body (the SDK drops errorCode)."""
    pd = err.problem_details
    response = session.last_response
    assert response is not None
    # "Unexpected error" is what the SDK synthesises when the body is not problem+json.
    assert pd.title != "Unexpected error", (
        f"not application/problem+json: {response.headers.get('Content-Type')!r} {response.text!r}"
    )
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert response.status_code == status, response.text
    assert pd.status == status, pd
    assert pd.type.startswith(PROBLEM_TYPE_PREFIX), pd
    raw = response.json()
    if error_code is not None:
        assert raw.get("errorCode") == error_code, raw
        assert pd.type == PROBLEM_TYPE_PREFIX + error_code, pd
    return raw


def user_summary(sdk: PasswordlessClient, user_id: str) -> Optional[UserSummary]:
    matches = [u for u in sdk.get_users() if u.user_id == user_id]
    assert len(matches) <= 1, matches
    return matches[0] if matches else None


def as_utc(value: datetime.datetime) -> datetime.datetime:
    """Server dates read back from the store may be naive; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)


# -- aliases ---------------------------------------------------------------------------


@pytest.mark.parametrize("hashing", [True, False], ids=["hashed", "plaintext"])
def test_set_alias_then_get_aliases_and_sign_in_by_alias(
    hashing: bool, server: Server, sdk: PasswordlessClient, browser: BrowserClient
):
    passkey = register_passkey(sdk, browser, new_user_id("alias"))
    aliases = [new_alias("first"), new_alias("second")]

    assert sdk.set_alias(SetAlias(user_id=passkey.user_id, aliases=aliases, hashing=hashing)) is None

    got = sdk.get_aliases(passkey.user_id)
    assert all(isinstance(a, Alias) for a in got), got
    assert sorted(a.alias for a in got) == sorted(alias_hash(server.app_id, a) for a in aliases)
    by_hash = {a.alias: a for a in got}
    for alias in aliases:
        entry = by_hash[alias_hash(server.app_id, alias)]
        assert entry.user_id == passkey.user_id
        assert entry.tenant == server.app_id
        assert entry.plaintext == (None if hashing else alias)

    # The aliases really point at the user: each one finds the passkey and signs in.
    for alias in aliases:
        assert allowed_ids(browser, alias=alias) == [passkey.authenticator.credential_id]
        assert sign_in(sdk, browser, passkey.authenticator, alias=alias) == passkey.user_id


@pytest.mark.parametrize("hashing", [True, False], ids=["hashed", "plaintext"])
def test_get_users_shows_aliases_and_credentials(
    hashing: bool, sdk: PasswordlessClient, browser: BrowserClient
):
    passkey = register_passkey(sdk, browser, new_user_id("users"))
    aliases = [new_alias("u1"), new_alias("u2"), new_alias("u3")]
    sdk.set_alias(SetAlias(user_id=passkey.user_id, aliases=aliases, hashing=hashing))
    # A second user with aliases only (no passkey) is listed too.
    alias_only = new_user_id("aliasonly")
    sdk.set_alias(SetAlias(user_id=alias_only, aliases=[new_alias("lone")], hashing=False))

    summary = user_summary(sdk, passkey.user_id)
    assert isinstance(summary, UserSummary), summary
    assert summary.alias_count == 3
    assert summary.credentials_count == 1
    if hashing:
        assert summary.aliases == [None, None, None]
    else:
        assert sorted(summary.aliases) == sorted(aliases)
    assert summary.last_used_at is None or isinstance(summary.last_used_at, datetime.datetime)

    lone = user_summary(sdk, alias_only)
    assert lone is not None, "a user with aliases and no passkey is missing from get_users"
    assert lone.alias_count == 1 and lone.credentials_count == 0
    assert len(lone.aliases) == 1 and lone.aliases[0].startswith("lone-")

    sign_in(sdk, browser, passkey.authenticator, user_id=passkey.user_id)
    summary = user_summary(sdk, passkey.user_id)
    assert isinstance(summary.last_used_at, datetime.datetime), summary


def test_set_alias_replaces_the_whole_set(sdk: PasswordlessClient, browser: BrowserClient):
    passkey = register_passkey(sdk, browser, new_user_id("replace"))
    old = [new_alias("old1"), new_alias("old2")]
    sdk.set_alias(SetAlias(user_id=passkey.user_id, aliases=old, hashing=False))
    assert sorted(a.plaintext for a in sdk.get_aliases(passkey.user_id)) == sorted(old)

    new = new_alias("new")
    sdk.set_alias(SetAlias(user_id=passkey.user_id, aliases=[old[1], new], hashing=False))
    assert sorted(a.plaintext for a in sdk.get_aliases(passkey.user_id)) == sorted([old[1], new])
    # The dropped alias no longer finds the passkey; the kept and new ones do.
    assert allowed_ids(browser, alias=old[0]) == []
    assert allowed_ids(browser, alias=old[1]) == [passkey.authenticator.credential_id]
    assert allowed_ids(browser, alias=new) == [passkey.authenticator.credential_id]

    sdk.set_alias(SetAlias(user_id=passkey.user_id, aliases=[], hashing=False))
    assert sdk.get_aliases(passkey.user_id) == []
    assert allowed_ids(browser, alias=new) == []
    summary = user_summary(sdk, passkey.user_id)
    assert summary is not None and summary.alias_count == 0 and summary.aliases == []
    # The passkey itself is untouched.
    assert sign_in(sdk, browser, passkey.authenticator, user_id=passkey.user_id) == passkey.user_id


@pytest.mark.parametrize("hashing", [True, False], ids=["hashed", "plaintext"])
def test_alias_conflict_is_409(
    hashing: bool,
    server: Server,
    sdk: PasswordlessClient,
    sdk_session: RecordingSession,
    browser: BrowserClient,
):
    owner = register_passkey(sdk, browser, new_user_id("owner"))
    other = new_user_id("other")
    shared, own = new_alias("shared"), new_alias("own")
    sdk.set_alias(SetAlias(user_id=owner.user_id, aliases=[shared], hashing=hashing))
    sdk.set_alias(SetAlias(user_id=other, aliases=[own], hashing=False))

    with pytest.raises(PasswordlessError) as excinfo:
        sdk.set_alias(SetAlias(user_id=other, aliases=[own, shared], hashing=hashing))
    assert_sdk_problem(excinfo.value, sdk_session, 409, "alias_conflict")

    # Nothing changed: the owner keeps the alias, the other user keeps its own set.
    assert [a.alias for a in sdk.get_aliases(owner.user_id)] == [alias_hash(server.app_id, shared)]
    assert [a.plaintext for a in sdk.get_aliases(other)] == [own]
    assert allowed_ids(browser, alias=shared) == [owner.authenticator.credential_id]

    # The same alias in a register token for another user is refused the same way.
    with pytest.raises(PasswordlessError) as excinfo:
        sdk.register_token(RegisterToken(user_id=other, username=other, aliases=[shared]))
    assert_sdk_problem(excinfo.value, sdk_session, 409, "alias_conflict")

    # Setting it again for its owner is not a conflict.
    sdk.set_alias(SetAlias(user_id=owner.user_id, aliases=[shared], hashing=hashing))
    assert len(sdk.get_aliases(owner.user_id)) == 1


def test_get_aliases_of_unknown_user_is_empty(sdk: PasswordlessClient):
    assert sdk.get_aliases(new_user_id("nobody")) == []


def test_empty_user_id_is_a_400_problem(sdk: PasswordlessClient, sdk_session: RecordingSession):
    with pytest.raises(PasswordlessError) as excinfo:
        sdk.get_aliases("")
    assert_sdk_problem(excinfo.value, sdk_session, 400)
    with pytest.raises(PasswordlessError) as excinfo:
        sdk.get_credentials("")
    assert_sdk_problem(excinfo.value, sdk_session, 400)


# -- credentials -----------------------------------------------------------------------


def test_get_credentials_returns_the_registered_passkey(
    sdk: PasswordlessClient, sdk_session: RecordingSession, browser: BrowserClient
):
    before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
    passkey = register_passkey(sdk, browser, new_user_id("creds"))
    authenticator = passkey.authenticator

    creds = sdk.get_credentials(passkey.user_id)
    raw = sdk_session.last_json()["values"]
    assert len(creds) == 1, raw
    cred = creds[0]
    assert isinstance(cred, Credential)

    # The descriptor id is base64url (no padding) of the credential id.
    assert cred.descriptor.type == "public-key"
    assert cred.descriptor.id == authenticator.credential_id_b64url
    assert b64url_decode(cred.descriptor.id) == authenticator.credential_id
    # publicKey: standard base64 of the COSE key the authenticator produced.
    assert cbor2.loads(base64.b64decode(cred.public_key, validate=True)) == cbor2.loads(
        authenticator.cose_public_key()
    )
    # userHandle: standard base64 of the UTF-8 userId.
    assert base64.b64decode(cred.user_handle, validate=True) == passkey.user_id.encode("utf-8")
    assert cred.user_id == passkey.user_id
    assert cred.signature_counter == 0
    assert cred.attestation_fmt == "none"
    assert cred.aa_guid == ZERO_AAGUID
    assert cred.rp_id == RPID  # the SDK reads "rpid", which the credential JSON uses
    assert cred.origin == ORIGIN
    assert isinstance(cred.country, str)
    assert isinstance(cred.device, str)
    assert raw[0].get("nickname") == NICKNAME
    assert isinstance(cred.created_at, datetime.datetime)
    assert isinstance(cred.last_user_at, datetime.datetime)
    now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=5)
    assert before <= as_utc(cred.created_at) <= now, cred.created_at
    assert as_utc(cred.last_user_at) >= as_utc(cred.created_at)

    # A sign-in moves the counter and lastUsedAt.
    assert sign_in(sdk, browser, authenticator, user_id=passkey.user_id) == passkey.user_id
    after = sdk.get_credentials(passkey.user_id)
    assert len(after) == 1
    assert after[0].signature_counter == authenticator.counter == 1
    assert as_utc(after[0].last_user_at) >= as_utc(cred.last_user_at)
    assert after[0].created_at == cred.created_at


def test_get_credentials_lists_every_passkey_of_the_user_only(
    sdk: PasswordlessClient, browser: BrowserClient
):
    user_id = new_user_id("two")
    first = register_passkey(sdk, browser, user_id)
    second = register_passkey(sdk, browser, user_id, nickname=None)
    stranger = register_passkey(sdk, browser, new_user_id("stranger"))

    ids = sorted(c.descriptor.id for c in sdk.get_credentials(user_id))
    assert ids == sorted([first.authenticator.credential_id_b64url, second.authenticator.credential_id_b64url])
    assert [c.descriptor.id for c in sdk.get_credentials(stranger.user_id)] == [
        stranger.authenticator.credential_id_b64url
    ]
    assert sdk.get_credentials(new_user_id("nobody")) == []
    assert user_summary(sdk, user_id).credentials_count == 2


def test_delete_credential_removes_only_that_passkey(
    sdk: PasswordlessClient, sdk_session: RecordingSession, browser: BrowserClient
):
    user_id = new_user_id("delcred")
    doomed = register_passkey(sdk, browser, user_id)
    kept = register_passkey(sdk, browser, user_id)
    # Control: both sign in before the delete.
    assert sign_in(sdk, browser, doomed.authenticator) == user_id
    assert sign_in(sdk, browser, kept.authenticator) == user_id

    credential_id = doomed.authenticator.credential_id_b64url
    assert credential_id in [c.descriptor.id for c in sdk.get_credentials(user_id)]
    assert sdk.delete_credential(DeleteCredential(credential_id=credential_id)) is None
    assert sdk_session.last_response.status_code == 204

    assert [c.descriptor.id for c in sdk.get_credentials(user_id)] == [kept.authenticator.credential_id_b64url]
    assert user_summary(sdk, user_id).credentials_count == 1
    assert allowed_ids(browser, user_id=user_id) == [kept.authenticator.credential_id]

    # The deleted passkey can no longer sign in; the other one still can.
    begin = browser.signin_begin()  # discoverable: the authenticator offers it anyway
    assertion = doomed.authenticator.get(begin["data"], ORIGIN)
    with pytest.raises(HttpError) as excinfo:
        browser.signin_complete(begin["session"], assertion)
    response = excinfo.value.response
    assert response.status_code == 400, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body.get("errorCode") == "unknown_credential", body
    assert body.get("credentialId") == doomed.authenticator.credential_id_b64url, body
    assert sign_in(sdk, browser, kept.authenticator, user_id=user_id) == user_id

    # Deleting it again, or an id that never existed, is a 404 problem.
    for unknown in (credential_id, b64url_encode(uuid.uuid4().bytes)):
        with pytest.raises(PasswordlessError) as excinfo:
            sdk.delete_credential(DeleteCredential(credential_id=unknown))
        assert_sdk_problem(excinfo.value, sdk_session, 404, "credential_not_found")
    assert len(sdk.get_credentials(user_id)) == 1


# -- users -----------------------------------------------------------------------------


def test_delete_user_removes_passkeys_and_aliases(
    server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession, browser: BrowserClient
):
    user_id = new_user_id("deluser")
    first = register_passkey(sdk, browser, user_id)
    second = register_passkey(sdk, browser, user_id)
    aliases = [new_alias("del1"), new_alias("del2")]
    sdk.set_alias(SetAlias(user_id=user_id, aliases=aliases, hashing=False))
    bystander = register_passkey(sdk, browser, new_user_id("bystander"), aliases=[new_alias("by")])

    # Control: everything is there and works before the delete.
    assert len(sdk.get_credentials(user_id)) == 2
    assert len(sdk.get_aliases(user_id)) == 2
    summary = user_summary(sdk, user_id)
    assert summary is not None and summary.credentials_count == 2 and summary.alias_count == 2
    assert sign_in(sdk, browser, first.authenticator, alias=aliases[0]) == user_id

    assert sdk.delete_user(DeleteUser(user_id=user_id)) is None
    assert sdk_session.last_response.status_code == 200

    assert sdk.get_credentials(user_id) == []
    assert sdk.get_aliases(user_id) == []
    assert user_summary(sdk, user_id) is None
    assert allowed_ids(browser, user_id=user_id) == []
    assert allowed_ids(browser, alias=aliases[0]) == []

    # Neither passkey can sign in any more.
    for passkey in (first, second):
        begin = browser.signin_begin()
        assertion = passkey.authenticator.get(begin["data"], ORIGIN)
        with pytest.raises(HttpError) as excinfo:
            browser.signin_complete(begin["session"], assertion)
        assert excinfo.value.response.status_code == 400, excinfo.value
        body = excinfo.value.response.json()
        assert body.get("errorCode") == "unknown_credential", body
        assert body.get("credentialId") == passkey.authenticator.credential_id_b64url, body

    # The freed alias can be taken by someone else.
    newcomer = new_user_id("newcomer")
    sdk.set_alias(SetAlias(user_id=newcomer, aliases=[aliases[0]], hashing=True))
    assert [a.alias for a in sdk.get_aliases(newcomer)] == [alias_hash(server.app_id, aliases[0])]

    # Other users are untouched.
    assert len(sdk.get_credentials(bystander.user_id)) == 1
    assert len(sdk.get_aliases(bystander.user_id)) == 1
    assert sign_in(sdk, browser, bystander.authenticator, user_id=bystander.user_id) == bystander.user_id


# -- generated sign-in tokens, magic links, app features (API-CONTRACT.md 3.2, 3.6, 3.7) ---

GENERATE_DISABLED = "The 'POST /signin/generate-token' endpoint is disabled"
MAGIC_LINKS_DISABLED = "You must enable Magic Links in settings in order to use this feature."
NO_TOKEN_TEMPLATE = (
    "You have provided a UrlTemplate without a $TOKEN template. "
    "Please include it like so: https://www.example.com?token=$TOKEN"
)
VALIDATION_TYPE = "https://tools.ietf.org/html/rfc9110#section-15.5.1"
GENERATED_DEFAULT_TTL = 120
MAGIC_LINK_DEFAULT_TTL = 3600
MAX_TTL = 604800
RATE_LIMIT = 10  # magic links per app per fixed 5-minute window
RATE_WINDOW_S = 300


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def sent_body(session: RecordingSession) -> Dict[str, Any]:
    """The JSON the SDK posted in its last request."""
    assert session.last_response is not None, "the SDK sent nothing"
    return json.loads(session.last_response.request.body)


def post_features(server: Server, body: Dict[str, Any]) -> requests.Response:
    """A raw POST /apps/features (the Python SDK can only send its one, unknown, member)."""
    return requests.post(
        server.base_url + "/apps/features",
        data=json.dumps(body),
        headers={"ApiSecret": server.api_secret, "Content-Type": "application/json"},
        timeout=30,
    )


def set_features(server: Server, **features: Any) -> None:
    response = post_features(server, features)
    assert response.status_code == 204, f"POST /apps/features {features} -> {response.status_code} {response.text}"


def assert_validation_problem(
    err: PasswordlessError, session: RecordingSession
) -> Dict[str, List[str]]:
    """A validation 400 the SDK parsed; returns its ``errors`` as the SDK read them."""
    response = session.last_response
    assert response is not None
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.text
    pd = err.problem_details
    assert pd.status == 400 and response.status_code == 400, response.text
    assert pd.type == VALIDATION_TYPE, pd
    assert pd.title == "One or more validation errors occurred.", pd
    assert pd.errors == response.json().get("errors"), (pd, response.text)
    return pd.errors


def assert_verified_token(
    verified: VerifiedUser,
    raw: Dict[str, Any],
    *,
    user_id: str,
    kind: str,
    ttl: int,
    issued_after: datetime.datetime,
) -> None:
    """What sign_in returned for a token no WebAuthn ceremony produced."""
    assert isinstance(verified, VerifiedUser), verified
    assert verified.success is True, raw
    assert verified.user_id == user_id, raw
    assert verified.type == kind, raw
    # No ceremony: "" (not null, which the SDK's schema refuses) in the members it needs.
    for member in ("origin", "device", "country", "credentialId"):
        assert raw.get(member) == "", (member, raw)
    assert verified.origin == verified.device == verified.country == verified.credential_id == ""
    assert raw.get("rpId") in ("", None), raw
    assert raw.get("nickname") is None, raw
    uuid.UUID(verified.token_id)
    issued = as_utc(verified.timestamp)
    assert issued_after - datetime.timedelta(seconds=2) <= issued <= utc_now() + datetime.timedelta(seconds=2), raw
    lifetime = (as_utc(verified.expires_at) - issued).total_seconds()
    assert abs(lifetime - ttl) < 1, f"expiresAt - timestamp = {lifetime}s, want {ttl}s: {raw}"


def assert_token_used_up(sdk: PasswordlessClient, session: RecordingSession, token: str) -> None:
    """Verify tokens are single-use (Ferrokey decision): a second sign_in is refused."""
    with pytest.raises(PasswordlessError) as excinfo:
        sdk.sign_in(VerifySignIn(token=token))
    assert_sdk_problem(excinfo.value, session, 400, "invalid_token")


def generate(sdk: PasswordlessClient, user_id: str, ttl: Optional[int] = None) -> str:
    generated = sdk.generate_authentication_token(
        GenerateAuthenticationTokenOptions(user_id=user_id, time_to_live=ttl)
    )
    assert isinstance(generated, GeneratedAuthenticationToken), generated
    assert generated.token.startswith("verify_"), generated
    return generated.token


@dataclass
class SentMail:
    to: str
    sender: str
    subject: str
    text: Optional[str]  # None on SES: moto keeps only the HTML body
    html: str

    @property
    def link(self) -> str:
        """The target of the HTML body's "Click here to sign in" button."""
        found = re.findall(r'<a href="([^"]*)"[^>]*>Click here to sign in</a>', self.html)
        assert len(found) == 1, f"one sign-in button expected in:\n{self.html}"
        return html.unescape(found[0])


def sent_mail(server: Server, to: str, containing: str = "") -> List[SentMail]:
    """Every message the server has sent to ``to`` (any case) whose HTML holds ``containing``,
    oldest first."""
    mails: List[SentMail] = []
    if server.store == "sqlite":
        outbox = os.path.join(server.data_dir, "outbox")
        names = sorted(n for n in os.listdir(outbox) if n.endswith(".eml")) if os.path.isdir(outbox) else []
        for name in names:  # named by send time
            with open(os.path.join(outbox, name), "rb") as f:
                msg = email.message_from_binary_file(f, policy=email.policy.default)
            text, body = msg.get_body(("plain",)), msg.get_body(("html",))
            mails.append(
                SentMail(
                    to=str(msg["To"]),
                    sender=str(msg["From"]),
                    subject=str(msg["Subject"]),
                    text=text.get_content() if text is not None else None,
                    html=body.get_content() if body is not None else "",
                )
            )
    else:
        data = requests.get(f"{server.moto_endpoint}/moto-api/data.json", timeout=30).json()
        for m in data.get("ses", {}).get("Message", []):
            mails.append(
                SentMail(
                    to=",".join(m.get("destinations", {}).get("ToAddresses", [])),
                    sender=m.get("source", ""),
                    subject=m.get("subject", ""),
                    text=None,
                    html=m.get("body", ""),
                )
            )
    return [m for m in mails if m.to.lower() == to.lower() and containing in m.html]


def token_in_link(template: str, link: str) -> str:
    """The link must be the template with one verify token for every ``$TOKEN`` (any case)."""
    parts = re.split(r"(?i)\$token", template)
    pattern = r"(verify_[A-Za-z0-9_-]+)".join(re.escape(p) for p in parts)
    found = re.fullmatch(pattern, link)
    assert found, f"link {link!r} is not {template!r} with a verify token substituted"
    assert len(set(found.groups())) == 1, found.groups()
    return found.group(1)


def send_magic_link(
    sdk: PasswordlessClient,
    session: RecordingSession,
    recipient: str,
    template: str,
    user_id: str,
    ttl: Optional[int] = None,
) -> None:
    assert sdk.send_magic_link(
        SendMagicLinkOptions(email_address=recipient, url_template=template, user_id=user_id, time_to_live=ttl)
    ) is None
    assert session.last_response.status_code == 204, session.last_response.text
    assert sent_body(session) == {
        "emailAddress": recipient,
        "urlTemplate": template,
        "userId": user_id,
        "timeToLive": ttl,
    }


def nonce() -> str:
    """Marks one test's link template, so its message is found without a before/after count."""
    return uuid.uuid4().hex


def the_mail(server: Server, recipient: str, marker: str) -> SentMail:
    """The one message to ``recipient`` whose link holds ``marker``."""
    found = sent_mail(server, recipient, marker)
    assert len(found) == 1, f"{len(found)} messages to {recipient} with {marker}: {found}\n{server.log_tail()}"
    return found[0]


# generate_authentication_token ------------------------------------------------------------


@pytest.mark.parametrize("ttl", [None, 600, MAX_TTL], ids=["default-ttl", "ttl-600", "ttl-max"])
def test_generate_authentication_token_then_sign_in_once(
    ttl: Optional[int], sdk: PasswordlessClient, sdk_session: RecordingSession
):
    user_id = new_user_id("gen")  # the endpoint does not require the user to exist
    issued_after = utc_now()
    token = generate(sdk, user_id, ttl)
    assert sdk_session.last_response.status_code == 200
    assert sent_body(sdk_session) == {"userId": user_id, "timeToLive": ttl}

    verified = sdk.sign_in(VerifySignIn(token=token))
    raw = sdk_session.last_json()
    assert_verified_token(
        verified, raw, user_id=user_id, kind="generated_signin",
        ttl=GENERATED_DEFAULT_TTL if ttl is None else ttl, issued_after=issued_after,
    )
    assert raw.get("purpose") == "sign-in", raw
    assert_token_used_up(sdk, sdk_session, token)


def test_generated_tokens_are_distinct_and_for_their_user(
    sdk: PasswordlessClient, sdk_session: RecordingSession, browser: BrowserClient
):
    # A user with a passkey: the generated token signs them in without a ceremony.
    passkey = register_passkey(sdk, browser, new_user_id("genuser"))
    first, second = generate(sdk, passkey.user_id), generate(sdk, passkey.user_id)
    other = generate(sdk, new_user_id("genother"))
    assert len({first, second, other}) == 3
    # Each verifies once, in any order, as its own user.
    assert sdk.sign_in(VerifySignIn(token=second)).user_id == passkey.user_id
    assert sdk.sign_in(VerifySignIn(token=other)).user_id != passkey.user_id
    assert sdk.sign_in(VerifySignIn(token=first)).user_id == passkey.user_id
    assert_token_used_up(sdk, sdk_session, second)


@pytest.mark.parametrize("ttl", [0, -1, MAX_TTL + 1])
def test_generate_authentication_token_ttl_out_of_range_is_a_validation_400(
    ttl: int, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    with pytest.raises(PasswordlessError) as excinfo:
        generate(sdk, new_user_id("genttl"), ttl)
    errors = assert_validation_problem(excinfo.value, sdk_session)
    assert list(errors) == ["timeToLive"], errors
    assert len(errors["timeToLive"]) == 1 and str(MAX_TTL) in errors["timeToLive"][0], errors


def test_generate_authentication_token_needs_a_user_id(
    sdk: PasswordlessClient, sdk_session: RecordingSession
):
    with pytest.raises(PasswordlessError) as excinfo:
        generate(sdk, "")
    errors = assert_validation_problem(excinfo.value, sdk_session)
    assert list(errors) == ["userId"], errors


def test_generate_token_endpoint_can_be_switched_off_and_on(
    server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    user_id = new_user_id("switch")
    control = generate(sdk, user_id)  # on by default
    assert sdk.sign_in(VerifySignIn(token=control)).user_id == user_id

    set_features(server, enableManuallyGeneratedAuthenticationTokens=False)
    try:
        with pytest.raises(PasswordlessError) as excinfo:
            generate(sdk, user_id)
        raw = assert_sdk_problem(excinfo.value, sdk_session, 403)
        assert excinfo.value.problem_details.title == GENERATE_DISABLED, raw
        assert raw.get("errorCode") is None, raw
        assert excinfo.value.problem_details.type == PROBLEM_TYPE_PREFIX, raw  # bare '#': no code
    finally:
        set_features(server, enableManuallyGeneratedAuthenticationTokens=True)

    issued_after = utc_now()
    token = generate(sdk, user_id, 300)
    verified = sdk.sign_in(VerifySignIn(token=token))
    assert_verified_token(
        verified, sdk_session.last_json(), user_id=user_id, kind="generated_signin",
        ttl=300, issued_after=issued_after,
    )


# update_apps_feature ------------------------------------------------------------------------


def test_update_apps_feature_succeeds_and_changes_no_switch(
    server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    # The SDK's only member, auditLoggingRetentionPeriod, is unknown to the server (7.1).
    assert sdk.update_apps_feature(UpdateAppsFeature(audit_logging_retention_period=30)) is None
    assert sdk_session.last_response.status_code == 204, sdk_session.last_response.text
    assert sent_body(sdk_session) == {"auditLoggingRetentionPeriod": 30}
    # Ignored, not validated: a value the server's own member would refuse still passes...
    assert sdk.update_apps_feature(UpdateAppsFeature(audit_logging_retention_period=1000)) is None
    assert sdk_session.last_response.status_code == 204
    # ...while the server's member on the same route is validated (so the body is read).
    refused = post_features(server, {"eventLoggingRetentionPeriod": 1000})
    assert refused.status_code == 400, refused.text
    assert refused.headers["Content-Type"].startswith("application/problem+json")
    assert list(refused.json().get("errors", {})) == ["eventLoggingRetentionPeriod"], refused.text

    # Patch semantics: the SDK's call leaves every switch as it was, off...
    set_features(server, enableManuallyGeneratedAuthenticationTokens=False)
    try:
        sdk.update_apps_feature(UpdateAppsFeature(audit_logging_retention_period=7))
        assert sdk_session.last_response.status_code == 204
        with pytest.raises(PasswordlessError) as excinfo:
            generate(sdk, new_user_id("patch"))
        assert_sdk_problem(excinfo.value, sdk_session, 403)
        assert excinfo.value.problem_details.title == GENERATE_DISABLED
    finally:
        set_features(server, enableManuallyGeneratedAuthenticationTokens=True)
    # ...or on.
    sdk.update_apps_feature(UpdateAppsFeature(audit_logging_retention_period=7))
    user_id = new_user_id("patch")
    assert sdk.sign_in(VerifySignIn(token=generate(sdk, user_id))).user_id == user_id


# send_magic_link (7 sends on the shared app in all; the limit is 10 per 5 minutes) ----------


@pytest.mark.parametrize(
    "case",
    [
        # (admin address index, upper-case it?, template, timeToLive)
        (0, False, "https://app.example.com/login?next=%2Fhome&n={nonce}&token=$TOKEN", None),
        (1, True, "https://shop.example.net/magic/$token/go?n={nonce}&y=$Token", 900),
    ],
    ids=["default-ttl", "ttl-900-uppercased-admin-two-placeholders"],
)
def test_send_magic_link_then_sign_in_once(
    case, server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    index, upper, template, ttl = case
    recipient = server.admin_emails[index].upper() if upper else server.admin_emails[index]
    marker = nonce()
    template = template.format(nonce=marker)
    host = re.match(r"https://([^/]+)/", template).group(1)
    user_id = new_user_id("magic")

    issued_after = utc_now()
    send_magic_link(sdk, sdk_session, recipient, template, user_id, ttl)

    mail = the_mail(server, recipient, marker)
    assert mail.to == recipient
    assert mail.subject == f"Sign in to {host}"
    display_name, address = email.utils.parseaddr(mail.sender)
    assert address == MAIL_FROM, mail.sender
    assert display_name == mail.subject, mail.sender
    link = mail.link
    token = token_in_link(template, link)
    assert "Let's get you logged in" in mail.html, mail.html
    assert "If you did not request this email, it is safe to ignore." in mail.html, mail.html
    assert (mail.text is not None) == (server.store == "sqlite"), "the outbox keeps the text part"
    if mail.text is not None:
        assert mail.text.strip() == (
            f"Please click the link or copy into your browser of choice to log in to {host}: "
            f"{link}. If you did not request this email, it is safe to ignore."
        )

    verified = sdk.sign_in(VerifySignIn(token=token))
    raw = sdk_session.last_json()
    assert_verified_token(
        verified, raw, user_id=user_id, kind="magic_link",
        ttl=MAGIC_LINK_DEFAULT_TTL if ttl is None else ttl, issued_after=issued_after,
    )
    assert raw.get("purpose") is None, raw
    assert_token_used_up(sdk, sdk_session, token)


def test_magic_link_template_without_token_is_a_validation_400(
    server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    recipient = server.admin_emails[0]
    marker = nonce()
    with pytest.raises(PasswordlessError) as excinfo:
        sdk.send_magic_link(
            SendMagicLinkOptions(
                email_address=recipient,
                url_template=f"https://app.example.com/login?n={marker}&token=",
                user_id=new_user_id("notoken"),
            )
        )
    errors = assert_validation_problem(excinfo.value, sdk_session)
    assert errors == {"urlTemplate": [NO_TOKEN_TEMPLATE]}, errors
    assert sent_mail(server, recipient, marker) == [], "no mail for a refused request"


def test_young_app_mails_magic_links_to_its_admins_only(
    server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    stranger = f"stranger-{uuid.uuid4().hex[:8]}@example.com"
    assert stranger.lower() not in [a.lower() for a in server.admin_emails]
    with pytest.raises(PasswordlessError) as excinfo:
        sdk.send_magic_link(
            SendMagicLinkOptions(
                email_address=stranger,
                url_template="https://app.example.com/login?token=$TOKEN",
                user_id=new_user_id("stranger"),
            )
        )
    assert_sdk_problem(excinfo.value, sdk_session, 403, "magic_link_email_admin_address_only")
    assert sent_mail(server, stranger) == []


def test_magic_links_can_be_switched_off_and_on(
    server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    recipient = server.admin_emails[0]
    marker = nonce()
    template = f"https://app.example.com/login?n={marker}&token=$TOKEN"
    set_features(server, enableMagicLinks=False)
    try:
        with pytest.raises(PasswordlessError) as excinfo:
            sdk.send_magic_link(
                SendMagicLinkOptions(email_address=recipient, url_template=template, user_id=new_user_id("off"))
            )
        raw = assert_sdk_problem(excinfo.value, sdk_session, 403)
        assert excinfo.value.problem_details.title == MAGIC_LINKS_DISABLED, raw
        assert raw.get("errorCode") is None, raw
    finally:
        set_features(server, enableMagicLinks=True)

    user_id = new_user_id("on")
    send_magic_link(sdk, sdk_session, recipient, template, user_id)
    # Exactly one message with this template: the one sent now, none while switched off.
    token = token_in_link(template, the_mail(server, recipient, marker).link)
    assert sdk.sign_in(VerifySignIn(token=token)).user_id == user_id


def test_magic_links_are_rate_limited_per_app(
    server: Server, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    # An app of its own: the shared app must stay under the limit.
    suffix = uuid.uuid4().hex[:8]
    admin = f"rate-{suffix}@example.com"
    app = server.create_app(f"rate{suffix}", [admin])
    session = RecordingSession()
    own = build_sdk(server.base_url, app["apiSecret"], session)
    template = "https://app.example.com/login?token=$TOKEN"

    # The limit counts in fixed, epoch-aligned 5-minute windows: start well inside one (the 11
    # sends take about a second).
    left = RATE_WINDOW_S - time.time() % RATE_WINDOW_S
    if left < 15:
        time.sleep(left + 1)
    window = int(time.time() // RATE_WINDOW_S)
    for _ in range(RATE_LIMIT):
        send_magic_link(own, session, admin, template, new_user_id("rate"))

    with pytest.raises(PasswordlessError) as excinfo:
        own.send_magic_link(
            SendMagicLinkOptions(email_address=admin, url_template=template, user_id=new_user_id("rate"))
        )
    left = RATE_WINDOW_S - time.time() % RATE_WINDOW_S
    assert int(time.time() // RATE_WINDOW_S) == window, "the sends straddled a window boundary"
    assert_sdk_problem(excinfo.value, session, 429, "rate_limit_exceeded")
    retry_after = session.last_response.headers.get("Retry-After")
    assert retry_after is not None and retry_after.isdigit(), session.last_response.headers
    assert 1 <= int(retry_after) <= RATE_WINDOW_S and abs(int(retry_after) - left) <= 3, (retry_after, left)
    # Every send within the limit was mailed, each with its own token; nothing past it.
    mailed = sent_mail(server, admin)
    assert len(mailed) == RATE_LIMIT, mailed
    assert len({token_in_link(template, m.link) for m in mailed}) == RATE_LIMIT

    # Per app: the shared app still sends.
    recipient = server.admin_emails[1]
    marker = nonce()
    template = f"https://app.example.com/login?n={marker}&token=$TOKEN"
    user_id = new_user_id("notlimited")
    send_magic_link(sdk, sdk_session, recipient, template, user_id)
    token = token_in_link(template, the_mail(server, recipient, marker).link)
    assert sdk.sign_in(VerifySignIn(token=token)).user_id == user_id
