"""Fixtures for the official Python SDK (passwordless==2.0.0) compatibility suite.

* ``server``: a real ``ferrokey serve`` process on a free loopback port with one app made by
  ``ferrokey app create --admin-email ...`` (ADMIN_EMAILS: the only addresses a young app may
  mail magic links to), once on a fresh SQLite data dir and once on a fresh DynamoDB table in a
  moto server (every test runs on both stores). Mail goes to ``<data_dir>/outbox/*.eml`` on
  SQLite and to moto's SES (sender MAIL_FROM, a verified identity) on DynamoDB.
* ``sdk``: the official SDK client (backend side, ApiSecret), built on a requests
  session that remembers the last raw response (the SDK's models drop some fields,
  e.g. ``purpose`` and ``rpId``).
* ``browser``: a stand-in for ``@passwordlessdev/passwordless-client`` 1.2.4 that posts
  exactly the JSON the JS client posts (API-CONTRACT.md section 6), with the public key.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple

import pytest
import requests
from passwordless import PasswordlessClient, PasswordlessClientBuilder, PasswordlessOptions

from softauthn import SoftAuthenticator

REPO_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BIN = REPO_ROOT / "target" / "debug" / "ferrokey"

RPID = "example.com"
ORIGIN = "https://app.example.com"
CLIENT_VERSION = "js-1.1.0"
STARTUP_TIMEOUT_S = 30.0
# The app's admin addresses (`app create --admin-email`), in the case they were given.
ADMIN_EMAILS = ("sdk-admin@example.com", "Second.Admin@example.org")
# FERROKEY_MAIL_FROM of both servers; on DynamoDB a verified SES identity in moto.
MAIL_FROM = "no-reply@ferrokey-sdk.test"


@dataclass
class Server:
    base_url: str
    app_id: str
    api_key: str
    api_secret: str
    data_dir: str
    log_path: str
    store: str = "sqlite"
    # The moto server holding the table and the SES mail (DynamoDB only).
    moto_endpoint: Optional[str] = None
    admin_emails: Tuple[str, ...] = ADMIN_EMAILS
    # How to run the CLI against this server's store (for tests that need another app).
    binary: str = ""
    store_args: Tuple[str, ...] = ()
    cli_env: Optional[Dict[str, str]] = None

    def create_app(self, app_id: str, admin_emails: Sequence[str] = ()) -> Dict[str, str]:
        """Another app in this server's store (`ferrokey app create`); its JSON output."""
        args = [self.binary, "app", "create", app_id, *self.store_args]
        for email in admin_emails:
            args += ["--admin-email", email]
        created = subprocess.run(
            args, capture_output=True, text=True, timeout=60, env=self.cli_env, check=False
        )
        assert created.returncode == 0, (
            f"`ferrokey app create` exited {created.returncode}: {created.stderr}"
        )
        return json.loads(created.stdout)

    def log_tail(self, n: int = 60) -> str:
        try:
            with open(self.log_path, "r", encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "<no server log>"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server (the offline AWS) from this venv, on a free loopback port."""
    moto = Path(os.environ.get("MOTO_SERVER", str(Path(sys.executable).parent / "moto_server")))
    if not moto.is_file():
        pytest.fail(f"moto_server not found at {moto} (pip install 'moto[server]')", pytrace=False)
    port = _free_port()
    proc = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                if requests.get(f"{endpoint}/moto-api/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("moto did not start", pytrace=False)
            time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session", params=["sqlite", "dynamodb"])
def server(request):
    binary = Path(os.environ.get("FERROKEY_BIN", str(DEFAULT_BIN)))
    if not binary.is_file() or not os.access(binary, os.X_OK):
        pytest.fail(
            f"ferrokey binary not found at {binary} (build it with `cargo build -p ferrokey` "
            "or point FERROKEY_BIN at it)",
            pytrace=False,
        )

    with tempfile.TemporaryDirectory(prefix="ferrokey-sdk-py-") as tmp:
        data_dir = os.path.join(tmp, "data")
        os.makedirs(data_dir)
        # The magic-link sender on both stores (the outbox writes it into From too).
        env = dict(os.environ, FERROKEY_MAIL_FROM=MAIL_FROM)
        store_args = ["--data-dir", data_dir]
        endpoint = None
        if request.param == "dynamodb":
            endpoint = request.getfixturevalue("moto_endpoint")
            table = f"sdk-{os.getpid()}"
            env.update(
                AWS_ENDPOINT_URL=endpoint,
                AWS_REGION="us-east-1",
                AWS_ACCESS_KEY_ID="test",
                AWS_SECRET_ACCESS_KEY="test",
                FERROKEY_PEPPER="python sdk test pepper",
            )
            subprocess.run(
                [str(binary), "table", "create", "--table", table],
                env=env, capture_output=True, text=True, timeout=60, check=True,
            )
            store_args = ["--store", "dynamodb", "--table", table]
            # SES only sends from a verified identity.
            import boto3

            boto3.client(
                "sesv2",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="test",
                aws_secret_access_key="test",
            ).create_email_identity(EmailIdentity=MAIL_FROM)
        admin_args = [arg for email in ADMIN_EMAILS for arg in ("--admin-email", email)]
        created = subprocess.run(
            [str(binary), "app", "create", "sdkapp", *admin_args, *store_args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        if created.returncode != 0:
            pytest.fail(
                f"`ferrokey app create` exited {created.returncode}\n"
                f"stdout: {created.stdout}\nstderr: {created.stderr}",
                pytrace=False,
            )
        try:
            app = json.loads(created.stdout)
            app_id, api_key, api_secret = app["appId"], app["apiKey"], app["apiSecret"]
        except (ValueError, KeyError, TypeError) as e:
            pytest.fail(
                f"`ferrokey app create` must print one JSON object "
                f'{{"appId","apiKey","apiSecret"}} on stdout ({e}); got:\n{created.stdout!r}',
                pytrace=False,
            )

        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        log_path = os.path.join(tmp, "server.log")
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [str(binary), "serve", "--addr", f"127.0.0.1:{port}", *store_args],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
            )
        srv = Server(
            base_url, app_id, api_key, api_secret, data_dir, log_path,
            store=request.param,
            moto_endpoint=endpoint,
            binary=str(binary),
            store_args=tuple(store_args),
            cli_env=env,
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    pytest.fail(
                        f"`ferrokey serve` exited early with {proc.returncode}:\n{srv.log_tail()}",
                        pytrace=False,
                    )
                try:
                    if requests.get(f"{base_url}/health/http", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"`ferrokey serve` not healthy after {STARTUP_TIMEOUT_S}s:\n{srv.log_tail()}",
                        pytrace=False,
                    )
                time.sleep(0.1)
            yield srv
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class RecordingSession(requests.Session):
    """A requests session that keeps the last response the SDK received."""

    def __init__(self) -> None:
        super().__init__()
        self.last_response: Optional[requests.Response] = None

    def send(self, request, **kwargs):  # type: ignore[override]
        response = super().send(request, **kwargs)
        self.last_response = response
        return response

    def last_json(self) -> Dict[str, Any]:
        assert self.last_response is not None, "the SDK sent nothing"
        return self.last_response.json()


def build_sdk(base_url: str, api_secret: str, session: Optional[requests.Session] = None) -> PasswordlessClient:
    return PasswordlessClientBuilder(
        PasswordlessOptions(api_secret=api_secret, api_url=base_url), session
    ).build()


@pytest.fixture(scope="session")
def sdk_session() -> RecordingSession:
    return RecordingSession()


@pytest.fixture(scope="session")
def sdk(server: Server, sdk_session: RecordingSession) -> PasswordlessClient:
    return build_sdk(server.base_url, server.api_secret, sdk_session)


class HttpError(AssertionError):
    """A non-2xx answer to a browser call, with the whole exchange for the report."""

    def __init__(self, path: str, body: Dict[str, Any], response: requests.Response):
        self.path = path
        self.request_body = body
        self.response = response
        super().__init__(
            f"POST {path} -> {response.status_code} "
            f"(content-type {response.headers.get('Content-Type')!r})\n"
            f"request: {json.dumps(body)}\nresponse: {response.text}"
        )


class BrowserClient:
    """Speaks like ``@passwordlessdev/passwordless-client`` 1.2.4 (Client-Version js-1.1.0)."""

    def __init__(self, base_url: str, api_key: str, rpid: str = RPID, origin: str = ORIGIN):
        self.base_url = base_url
        self.api_key = api_key
        self.rpid = rpid
        self.origin = origin
        self.http = requests.Session()
        self.exchanges: list = []

    def post(self, path: str, body: Dict[str, Any]) -> requests.Response:
        response = self.http.post(
            self.base_url + path,
            data=json.dumps(body),
            headers={
                "ApiKey": self.api_key,
                "Content-Type": "application/json",
                "Client-Version": CLIENT_VERSION,
            },
            timeout=30,
        )
        self.exchanges.append((path, body, response))
        return response

    def post_ok(self, path: str, body: Dict[str, Any]) -> Dict[str, Any]:
        response = self.post(path, body)
        if not response.ok:
            raise HttpError(path, body, response)
        try:
            return response.json()
        except ValueError:
            raise HttpError(path, body, response) from None

    # -- Client.register(token, nickname) ------------------------------------------

    def register_begin(self, token: str) -> Dict[str, Any]:
        return self.post_ok("/register/begin", {"token": token, "RPID": self.rpid, "Origin": self.origin})

    def register_complete(
        self, session: str, credential: Dict[str, Any], nickname: Optional[str] = None
    ) -> Dict[str, Any]:
        body: Dict[str, Any] = {"session": session, "response": credential}
        if nickname is not None:  # JSON.stringify drops undefined
            body["nickname"] = nickname
        body["RPID"] = self.rpid
        body["Origin"] = self.origin
        return self.post_ok("/register/complete", body)

    def register(
        self, token: str, authenticator: SoftAuthenticator, nickname: Optional[str] = None
    ) -> Dict[str, Any]:
        begin = self.register_begin(token)
        credential = authenticator.create(begin["data"], self.origin)
        return self.register_complete(begin["session"], credential, nickname)

    # -- Client.signinWithId / signinWithAlias / signinWithDiscoverable / stepup ------

    def signin_begin(
        self,
        user_id: Optional[str] = None,
        alias: Optional[str] = None,
        purpose: Optional[str] = None,
    ) -> Dict[str, Any]:
        body: Dict[str, Any] = {}
        if user_id is not None:
            body["userId"] = user_id
        if alias is not None:
            body["alias"] = alias
        body["RPID"] = self.rpid
        body["Origin"] = self.origin
        if purpose is not None:
            body["purpose"] = purpose
        return self.post_ok("/signin/begin", body)

    def signin_complete(self, session: str, assertion: Dict[str, Any]) -> Dict[str, Any]:
        return self.post_ok(
            "/signin/complete",
            {"session": session, "response": assertion, "RPID": self.rpid, "Origin": self.origin},
        )

    def signin(
        self,
        authenticator: SoftAuthenticator,
        user_id: Optional[str] = None,
        alias: Optional[str] = None,
        purpose: Optional[str] = None,
    ) -> Dict[str, Any]:
        begin = self.signin_begin(user_id=user_id, alias=alias, purpose=purpose)
        assertion = authenticator.get(begin["data"], self.origin)
        return self.signin_complete(begin["session"], assertion)


@pytest.fixture()
def browser(server: Server) -> BrowserClient:
    return BrowserClient(server.base_url, server.api_key)
