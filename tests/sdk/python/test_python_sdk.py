"""The official Python SDK (PyPI ``passwordless==2.0.0``) against a real Ferrokey server.

Backend calls go through the SDK (ApiSecret); browser calls go through ``BrowserClient``
(conftest.py), which posts the exact JSON of ``@passwordlessdev/passwordless-client``
with the public ApiKey, and ``SoftAuthenticator`` (softauthn.py) plays the authenticator.
Run with ``tests/sdk/run-python.sh``.
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

import pytest
from passwordless import (
    PasswordlessClient,
    PasswordlessError,
    RegisterToken,
    VerifiedUser,
    VerifySignIn,
)

from conftest import ORIGIN, RPID, BrowserClient, RecordingSession, Server, build_sdk
from softauthn import SoftAuthenticator, b64url_decode, b64url_encode

ALIAS = "alice@example.com"
NICKNAME = "Alice's soft key"
PROBLEM_TYPE_PREFIX = "https://docs.passwordless.dev/guide/errors.html#"


@dataclass
class Registered:
    user_id: str
    username: str
    authenticator: SoftAuthenticator
    register_token: str
    begin: Dict[str, Any]
    complete: Dict[str, Any]


@pytest.fixture(scope="module")
def alice(server: Server, sdk: PasswordlessClient) -> Registered:
    """Registers one user (SDK register_token → /register/begin → create → /register/complete).

    The assertions on this flow live in test_register; the sign-in tests reuse the passkey.
    """
    user_id = "alice-" + uuid.uuid4().hex[:12]
    # displayName, attestation, authenticatorType, discoverable, userVerification,
    # aliasHashing (true) and expiresAt (naive UTC, now + 2 min) are the SDK defaults.
    registered = sdk.register_token(
        RegisterToken(user_id=user_id, username="alice", aliases=[ALIAS])
    )
    browser = BrowserClient(server.base_url, server.api_key)
    begin = browser.register_begin(registered.token)
    authenticator = SoftAuthenticator()
    credential = authenticator.create(begin["data"], ORIGIN)
    complete = browser.register_complete(begin["session"], credential, nickname=NICKNAME)
    return Registered(user_id, "alice", authenticator, registered.token, begin, complete)


def assert_verified(
    verified: VerifiedUser,
    raw: Dict[str, Any],
    *,
    user_id: str,
    type_: str,
    authenticator: SoftAuthenticator,
) -> None:
    assert isinstance(verified, VerifiedUser)
    assert verified.success is True
    assert verified.user_id == user_id
    assert verified.type == type_
    # credentialId is standard base64 (padded) of the raw credential id.
    assert verified.credential_id == authenticator.credential_id_std_b64
    assert base64.b64decode(verified.credential_id) == authenticator.credential_id
    assert verified.origin == ORIGIN
    # The SDK schema rejects null for these: the server must send strings ("" allowed).
    assert isinstance(verified.device, str)
    assert isinstance(verified.country, str)
    assert isinstance(verified.token_id, str) and verified.token_id
    assert isinstance(verified.timestamp, datetime.datetime)
    assert isinstance(verified.expires_at, datetime.datetime)
    assert verified.expires_at > verified.timestamp
    # The SDK reads "rpid" while the wire key is "rpId" (so VerifiedUser.rp_id is None);
    # check the raw body the SDK received instead.
    assert raw.get("rpId") == RPID


def sign_in(
    browser: BrowserClient,
    authenticator: SoftAuthenticator,
    *,
    user_id: Optional[str] = None,
    alias: Optional[str] = None,
    purpose: Optional[str] = None,
) -> Tuple[Dict[str, Any], str]:
    """/signin/begin → authenticator.get → /signin/complete; returns (begin, verify token)."""
    begin = browser.signin_begin(user_id=user_id, alias=alias, purpose=purpose)
    assert begin["session"].startswith("session_")
    assert begin["data"]["rpId"] == RPID
    assertion = authenticator.get(begin["data"], ORIGIN)
    complete = browser.signin_complete(begin["session"], assertion)
    token = complete["token"]
    assert token.startswith("verify_"), complete
    return begin, token


def allowed_ids(begin: Dict[str, Any]) -> list:
    return [b64url_decode(d["id"]) for d in begin["data"].get("allowCredentials") or []]


# (1) registration ---------------------------------------------------------------


def test_register(alice: Registered, sdk: PasswordlessClient, sdk_session: RecordingSession):
    assert alice.register_token.startswith("register_")
    assert alice.begin["session"].startswith("session_")
    options = alice.begin["data"]
    assert options["rp"]["id"] == RPID
    assert options["user"]["name"] == alice.username
    assert b64url_decode(options["user"]["id"]) == alice.user_id.encode("utf-8")
    assert alice.authenticator.user_handle == alice.user_id.encode("utf-8")
    assert len(b64url_decode(options["challenge"])) >= 16

    token = alice.complete["token"]
    assert token.startswith("verify_"), alice.complete

    verified = sdk.sign_in(VerifySignIn(token=token))
    raw = sdk_session.last_json()
    assert_verified(
        verified, raw, user_id=alice.user_id, type_="passkey_register", authenticator=alice.authenticator
    )
    assert verified.nickname == NICKNAME


# (2) by userId, (3) by alias, (4) discoverable ---------------------------------------


@pytest.mark.parametrize("method", ["user_id", "alias", "discoverable"])
def test_sign_in(
    method: str,
    alice: Registered,
    browser: BrowserClient,
    sdk: PasswordlessClient,
    sdk_session: RecordingSession,
):
    kwargs: Dict[str, Any] = {}
    if method == "user_id":
        kwargs["user_id"] = alice.user_id
    elif method == "alias":
        kwargs["alias"] = ALIAS
    begin, token = sign_in(browser, alice.authenticator, **kwargs)

    if method == "discoverable":
        assert allowed_ids(begin) == []
    else:
        assert alice.authenticator.credential_id in allowed_ids(begin)

    verified = sdk.sign_in(VerifySignIn(token=token))
    raw = sdk_session.last_json()
    assert_verified(
        verified, raw, user_id=alice.user_id, type_="passkey_signin", authenticator=alice.authenticator
    )
    assert verified.nickname == NICKNAME
    assert raw.get("purpose") == "sign-in"


# (5) step-up ------------------------------------------------------------------------


def test_step_up(
    alice: Registered, browser: BrowserClient, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    _, token = sign_in(browser, alice.authenticator, user_id=alice.user_id, purpose="step-up")
    verified = sdk.sign_in(VerifySignIn(token=token))
    assert_verified(
        verified,
        sdk_session.last_json(),
        user_id=alice.user_id,
        type_="passkey_signin",
        authenticator=alice.authenticator,
    )
    # The SDK's VerifiedUser model has no `purpose` (VerifiedUserSchema uses
    # unknown=EXCLUDE and drops it). Verify tokens are single-use on Ferrokey, so instead
    # of a second raw POST /signin/verify we read the raw body of the very response the
    # SDK received, through the recording requests.Session handed to the SDK builder.
    assert not hasattr(verified, "purpose")
    assert sdk_session.last_json()["purpose"] == "step-up"


# (6) hostile, through the SDK --------------------------------------------------------


def assert_problem(
    err: PasswordlessError, sdk_session: RecordingSession, status: int
) -> Dict[str, Any]:
    pd = err.problem_details
    # "Unexpected error" is what the SDK synthesises when the body is not
    # application/problem+json: the server must send real problem details.
    assert pd.title != "Unexpected error", (
        f"not application/problem+json: {sdk_session.last_response.headers.get('Content-Type')!r} "
        f"{sdk_session.last_response.text!r}"
    )
    assert pd.status == status, pd
    assert sdk_session.last_response is not None
    assert sdk_session.last_response.status_code == status
    assert sdk_session.last_response.headers["Content-Type"].startswith("application/problem+json")
    assert pd.type.startswith(PROBLEM_TYPE_PREFIX), pd
    return sdk_session.last_json()


def test_verify_token_is_single_use(
    alice: Registered, browser: BrowserClient, sdk: PasswordlessClient, sdk_session: RecordingSession
):
    _, token = sign_in(browser, alice.authenticator, user_id=alice.user_id)
    first = sdk.sign_in(VerifySignIn(token=token))
    assert first.success is True and first.user_id == alice.user_id

    with pytest.raises(PasswordlessError) as excinfo:
        sdk.sign_in(VerifySignIn(token=token))
    raw = assert_problem(excinfo.value, sdk_session, 400)
    # The SDK looks for `error_code` and so drops the server's `errorCode`; the code is
    # also the fragment of `type`.
    assert raw.get("errorCode") == "invalid_token", raw
    assert excinfo.value.problem_details.type == PROBLEM_TYPE_PREFIX + "invalid_token"


@pytest.mark.parametrize(
    "token",
    [
        "garbage",  # wrong prefix
        "verify_AAECAwQFBgcICQoLDA0ODw",  # right prefix, never issued
        "verify_%%%not-base64url%%%",
    ],
)
def test_garbage_token(token: str, sdk: PasswordlessClient, sdk_session: RecordingSession):
    with pytest.raises(PasswordlessError) as excinfo:
        sdk.sign_in(VerifySignIn(token=token))
    raw = assert_problem(excinfo.value, sdk_session, 400)
    assert raw.get("errorCode") in ("invalid_token", "invalid_token_format"), raw


@pytest.mark.parametrize("call", ["sign_in", "register_token"])
def test_wrong_api_secret(call: str, server: Server):
    session = RecordingSession()
    wrong = build_sdk(server.base_url, f"{server.app_id}:secret:{uuid.uuid4().hex}", session)
    with pytest.raises(PasswordlessError) as excinfo:
        if call == "sign_in":
            wrong.sign_in(VerifySignIn(token="verify_" + b64url_encode(uuid.uuid4().bytes)))
        else:
            wrong.register_token(RegisterToken(user_id="mallory", username="mallory"))
    assert_problem(excinfo.value, session, 401)
    pd = excinfo.value.problem_details
    assert pd.detail == "The value of your 'ApiSecret' is not valid."
    assert pd.title == "A valid 'ApiSecret' header is required."
    assert pd.type == PROBLEM_TYPE_PREFIX + "ApiSecret"
    assert session.last_response.headers.get("WWW-Authenticate") == "ApiSecret"
