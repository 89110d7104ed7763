//! An admin as the console is one: invited, signed up with a passkey through the built-in
//! `console` app over HTTP, then calling `/admin/...` with the bearer session.

use crate::authenticator::SoftPasskey;
use crate::harness::{CONSOLE_URL, MANAGEMENT_KEY, Reply, TestApp};
use serde_json::{Value, json};

/// The console passkeys' RP ID: the public URL's host.
pub const CONSOLE_RP: &str = "localhost";

/// A signed-in admin.
pub struct Admin {
    pub email: String,
    pub id: String,
    pub session: String,
    pub passkey: SoftPasskey,
}

/// The console app's public key, as the console page gets it.
pub async fn console_key(app: &TestApp) -> String {
    let config = app.get_raw("/console/config.json", &[]).await;
    config.ok()["apiKey"].as_str().expect("console apiKey").to_string()
}

/// POST as the console page's browser client (the console app's public key).
pub async fn console_post(app: &TestApp, path: &str, body: Value) -> Reply {
    let key = console_key(app).await;
    let headers = [
        ("ApiKey", key.as_str()),
        ("Content-Type", "application/json"),
        ("Client-Version", "js-1.1.0"),
    ];
    app.post_raw(path, &headers, body.to_string().into_bytes()).await
}

/// Invites `email` to `org` (as `ferrokey admin invite` does); returns the invitation code.
pub async fn invite(app: &TestApp, email: &str, org: &str) -> String {
    let invite =
        ferrokey_core::ops::admin::org::invite(&app.service, Some(org), Some(email), "test")
            .await
            .expect("invite");
    assert!(invite.invite_url.starts_with(&format!("{CONSOLE_URL}/console/#/invite/invite_")));
    invite.invite_url.rsplit('/').next().expect("code").to_string()
}

/// Registers a passkey with a console register token; returns the verify token.
pub async fn register_console_passkey(
    app: &TestApp,
    passkey: &mut SoftPasskey,
    token: &str,
) -> String {
    let begin = console_post(
        app,
        "/register/begin",
        json!({"token": token, "RPID": CONSOLE_RP, "Origin": CONSOLE_URL}),
    )
    .await;
    let begin = begin.ok();
    let response = passkey.create(&begin["data"], CONSOLE_URL);
    let done = console_post(
        app,
        "/register/complete",
        json!({"session": begin["session"], "response": response, "nickname": "console", "RPID": CONSOLE_RP, "Origin": CONSOLE_URL}),
    )
    .await;
    done.ok()["token"].as_str().expect("verify token").to_string()
}

/// Signs in with an existing console passkey by alias (the email); returns the verify token.
pub async fn console_signin(app: &TestApp, passkey: &mut SoftPasskey, email: &str) -> String {
    let begin = console_post(
        app,
        "/signin/begin",
        json!({"alias": email, "RPID": CONSOLE_RP, "Origin": CONSOLE_URL}),
    )
    .await;
    let begin = begin.ok();
    let response = passkey.get(&begin["data"], CONSOLE_URL);
    let done = console_post(
        app,
        "/signin/complete",
        json!({"session": begin["session"], "response": response, "RPID": CONSOLE_RP, "Origin": CONSOLE_URL}),
    )
    .await;
    done.ok()["token"].as_str().expect("verify token").to_string()
}

/// `POST /admin/session` with a verify token.
pub async fn exchange(app: &TestApp, token: &str) -> Reply {
    let headers = [("Content-Type", "application/json")];
    app.post_raw("/admin/session", &headers, json!({"token": token}).to_string().into_bytes()).await
}

/// Invite → accept → register a passkey → session.
pub async fn sign_up(app: &TestApp, email: &str, org: &str) -> Admin {
    let code = invite(app, email, org).await;
    let accepted = app
        .post_raw(
            "/admin/invites/accept",
            &[("Content-Type", "application/json")],
            json!({"code": code}).to_string().into_bytes(),
        )
        .await;
    let token = accepted.ok()["token"].as_str().expect("register token").to_string();
    assert!(token.starts_with("register_"));
    let mut passkey = SoftPasskey::new();
    let verify = register_console_passkey(app, &mut passkey, &token).await;
    let signed_in = exchange(app, &verify).await;
    let body = signed_in.ok();
    assert_eq!(body["admin"]["email"], email);
    assert_eq!(body["admin"]["org"], org);
    Admin {
        email: email.to_string(),
        id: body["admin"]["id"].as_str().expect("admin id").to_string(),
        session: body["session"].as_str().expect("session").to_string(),
        passkey,
    }
}

/// Calls an admin route with `auth` ("Bearer …" or the management key) and an optional body.
pub async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: Auth<'_>,
    body: Option<Value>,
) -> Reply {
    let url = format!("{}{path}", app.base);
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut req = app.http.request(method, url);
    req = match auth {
        Auth::Session(s) => req.header("Authorization", format!("Bearer {s}")),
        Auth::Management => req.header("ManagementKey", MANAGEMENT_KEY),
        Auth::None => req,
    };
    if let Some(body) = body {
        req = req.header("Content-Type", "application/json").body(body.to_string());
    }
    crate::harness::read(req.send().await.expect("request")).await
}

#[derive(Clone, Copy)]
pub enum Auth<'a> {
    Session(&'a str),
    Management,
    None,
}

impl Admin {
    pub fn auth(&self) -> Auth<'_> {
        Auth::Session(&self.session)
    }

    /// Signs in again with the passkey (sessions end after 12 idle hours, and tests move the
    /// clock by days).
    pub async fn sign_in_again(&mut self, app: &TestApp) {
        let verify = console_signin(app, &mut self.passkey, &self.email).await;
        let session = exchange(app, &verify).await;
        self.session = session.ok()["session"].as_str().expect("session").to_string();
    }
}
