"""The backend-management methods of the official Python SDK (``passwordless==2.0.0``).

Proves that ``set_alias``, ``get_aliases``, ``get_users``, ``get_credentials``,
``delete_credential`` and ``delete_user`` work unchanged against a real ``ferrokey serve``
(on both stores, see conftest.py), and that their effects are real: aliases set through the
SDK sign a user in, a deleted passkey or user can no longer sign in, and refusals reach the
SDK as ``PasswordlessError`` with the server's problem details (API-CONTRACT.md 3.3-3.5, 7.1).

Passkeys are registered for real: SDK ``register_token`` -> ``BrowserClient`` (the JS
client's wire format) -> ``SoftAuthenticator``. The server is shared by every test of the
session, so each test uses its own user ids and aliases.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import cbor2
import pytest
from passwordless import (
    Alias,
    Credential,
    DeleteCredential,
    DeleteUser,
    PasswordlessClient,
    PasswordlessError,
    RegisterToken,
    SetAlias,
    UserSummary,
    VerifySignIn,
)

from conftest import ORIGIN, RPID, BrowserClient, HttpError, RecordingSession, Server
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
