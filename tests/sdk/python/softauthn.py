"""A tiny ES256 software authenticator that plays the browser + authenticator.

It takes the ``data`` member of a ``/register/begin`` or ``/signin/begin`` response
(PublicKeyCredentialCreationOptions / PublicKeyCredentialRequestOptions JSON, binary
fields base64url) and returns the credential JSON exactly as the official browser
client ``@passwordlessdev/passwordless-client`` posts it to ``/register/complete`` and
``/signin/complete`` (API-CONTRACT.md section 6):

* registration: ``{"id", "rawId", "type": "public-key", "clientExtensionResults",
  "response": {"AttestationObject", "clientDataJson"}}``
* sign-in: ``{"id", "rawId", "type": "public-key", "clientExtensionResults",
  "response": {"authenticatorData", "clientDataJson", "signature"}}`` (no userHandle)

All binary values are base64url without padding.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from typing import Any, Dict, Optional, Union

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

FLAG_UP = 0x01
FLAG_UV = 0x04
FLAG_AT = 0x40

COSE_ALG_ES256 = -7

Options = Union[str, bytes, Dict[str, Any]]


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class AuthenticatorError(Exception):
    """What a browser would surface as a DOMException (NotAllowedError...)."""


def _as_dict(options: Options) -> Dict[str, Any]:
    if isinstance(options, (str, bytes)):
        options = json.loads(options)
    if not isinstance(options, dict):
        raise AuthenticatorError(f"options must be a JSON object, got {type(options)}")
    return options


def _client_data_json(kind: str, challenge_b64url: str, origin: str) -> bytes:
    # The browser decodes the challenge to bytes (the JS client does that) and
    # re-encodes it as base64url without padding in clientDataJSON.
    challenge = b64url_encode(b64url_decode(challenge_b64url))
    return json.dumps(
        {
            "type": kind,
            "challenge": challenge,
            "origin": origin,
            "crossOrigin": False,
        },
        separators=(",", ":"),
    ).encode("utf-8")


class SoftAuthenticator:
    """One ES256 (P-256) credential, with a signature counter."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id: bytes = os.urandom(16)
        self.counter: int = 0
        self.rp_id: Optional[str] = None
        # The WebAuthn user handle (registration ``user.id`` decoded), kept so a
        # test can compare it; the JS client never sends it at sign-in.
        self.user_handle: Optional[bytes] = None
        self.aaguid: bytes = bytes(16)

    # -- helpers ---------------------------------------------------------------

    @property
    def credential_id_b64url(self) -> str:
        return b64url_encode(self.credential_id)

    @property
    def credential_id_std_b64(self) -> str:
        """Standard base64 with padding: how /signin/verify reports credentialId."""
        return base64.b64encode(self.credential_id).decode("ascii")

    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        x = numbers.x.to_bytes(32, "big")
        y = numbers.y.to_bytes(32, "big")
        # kty: EC2, alg: ES256, crv: P-256, x, y (CTAP2 canonical order)
        return cbor2.dumps({1: 2, 3: COSE_ALG_ES256, -1: 1, -2: x, -3: y}, canonical=True)

    # -- ceremonies --------------------------------------------------------------

    def create(self, options: Options, origin: str) -> Dict[str, Any]:
        """navigator.credentials.create() + the JS client's serialisation."""
        opts = _as_dict(options)
        rp_id = opts["rp"]["id"]
        params = opts.get("pubKeyCredParams") or []
        if not any(
            p.get("type") == "public-key" and p.get("alg") == COSE_ALG_ES256 for p in params
        ):
            raise AuthenticatorError(f"ES256 (-7) not offered in pubKeyCredParams: {params}")
        for desc in opts.get("excludeCredentials") or []:
            if b64url_decode(desc["id"]) == self.credential_id:
                raise AuthenticatorError("InvalidStateError: credential is in excludeCredentials")

        self.rp_id = rp_id
        self.user_handle = b64url_decode(opts["user"]["id"])

        client_data = _client_data_json("webauthn.create", opts["challenge"], origin)
        auth_data = (
            hashlib.sha256(rp_id.encode("utf-8")).digest()
            + bytes([FLAG_UP | FLAG_UV | FLAG_AT])
            + struct.pack(">I", self.counter)
            + self.aaguid
            + struct.pack(">H", len(self.credential_id))
            + self.credential_id
            + self.cose_public_key()
        )
        attestation_object = cbor2.dumps(
            {"fmt": "none", "attStmt": {}, "authData": auth_data}, canonical=True
        )
        return {
            "id": self.credential_id_b64url,
            "rawId": self.credential_id_b64url,
            "type": "public-key",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "AttestationObject": b64url_encode(attestation_object),
                "clientDataJson": b64url_encode(client_data),
            },
        }

    def get(self, options: Options, origin: str) -> Dict[str, Any]:
        """navigator.credentials.get() + the JS client's serialisation."""
        opts = _as_dict(options)
        rp_id = opts["rpId"]
        allow = opts.get("allowCredentials") or []
        if allow and not any(b64url_decode(d["id"]) == self.credential_id for d in allow):
            raise AuthenticatorError(
                "NotAllowedError: none of allowCredentials "
                f"{[d.get('id') for d in allow]} is this credential ({self.credential_id_b64url})"
            )
        if self.rp_id is not None and rp_id != self.rp_id:
            raise AuthenticatorError(
                f"NotAllowedError: credential is scoped to {self.rp_id!r}, not {rp_id!r}"
            )

        self.counter += 1
        client_data = _client_data_json("webauthn.get", opts["challenge"], origin)
        auth_data = (
            hashlib.sha256(rp_id.encode("utf-8")).digest()
            + bytes([FLAG_UP | FLAG_UV])
            + struct.pack(">I", self.counter)
        )
        signature = self.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": self.credential_id_b64url,
            "rawId": self.credential_id_b64url,
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "authenticatorData": b64url_encode(auth_data),
                "clientDataJson": b64url_encode(client_data),
                "signature": b64url_encode(signature),
            },
        }
