//! Secrets stay secret: a full run of the real `ferrokey serve` (debug logging) through every
//! kind of key and token — API secrets, register, session and verify tokens, magic links,
//! invitations, admin sessions, new and revealed keys — and then no secret appears in the
//! captured logs, and the SQLite files hold only hashes of them.

use crate::admin_client::CONSOLE_RP;
use crate::authenticator::SoftPasskey;
use crate::harness::{ORIGIN, RP_ID};
use serde_json::{Value, json};
use std::process::{Command, Stdio};

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_else(|| panic!("a string, got {v}")).to_string()
}

#[tokio::test]
async fn no_secret_reaches_the_logs_or_the_database_in_clear() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let created = Command::new(crate::cli::binary())
        .args(["app", "create", "shop", "--admin-email", "owner@example.com", "--data-dir"])
        .arg(&data)
        .output()
        .unwrap();
    let keys: Value = serde_json::from_slice(&created.stdout).unwrap();
    let log_path = dir.path().join("serve.log");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(crate::cli::binary())
        .args(["serve", "--addr", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&data)
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .env_remove("FERROKEY_PUBLIC_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(&log_path).unwrap()))
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("{base}/health/http")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let post = |path: &str, header: (&str, String), body: Value| {
        let req = http.post(format!("{base}{path}")).header(header.0, header.1).json(&body);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap_or(Value::Null) }
    };
    let secret = ("ApiSecret", text(&keys["apiSecret"]));
    let public = ("ApiKey", text(&keys["apiKey"]));
    let mut secrets = vec![secret.1.clone()];

    // Register, sign in, verify; a generated token; a magic link.
    let token = text(
        &post("/register/token", secret.clone(), json!({"userId": "u1", "username": "u1"})).await["token"],
    );
    let begin = post(
        "/register/begin",
        public.clone(),
        json!({"token": token, "RPID": RP_ID, "Origin": ORIGIN}),
    )
    .await;
    let mut passkey = SoftPasskey::new();
    let response = passkey.create(&begin["data"], ORIGIN);
    secrets.extend([token, text(&begin["session"])]);
    let done = post(
        "/register/complete",
        public.clone(),
        json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN}),
    )
    .await;
    secrets.push(text(&done["token"]));
    post("/signin/verify", secret.clone(), json!({"token": done["token"]})).await;
    let begin = post(
        "/signin/begin",
        public.clone(),
        json!({"userId": "u1", "RPID": RP_ID, "Origin": ORIGIN}),
    )
    .await;
    let response = passkey.get(&begin["data"], ORIGIN);
    secrets.push(text(&begin["session"]));
    let done = post(
        "/signin/complete",
        public.clone(),
        json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN}),
    )
    .await;
    secrets.push(text(&done["token"]));
    assert_eq!(
        post("/signin/verify", secret.clone(), json!({"token": done["token"]})).await["userId"],
        "u1"
    );
    let generated = post("/signin/generate-token", secret.clone(), json!({"userId": "u1"})).await;
    secrets.push(text(&generated["token"]));
    let sent = http
        .post(format!("{base}/magic-links/send"))
        .header(secret.0, &secret.1)
        .json(&json!({"emailAddress": "owner@example.com", "urlTemplate": "https://shop.example/login?token=$TOKEN", "userId": "u1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 204);
    let outbox: Vec<_> =
        std::fs::read_dir(data.join("outbox")).unwrap().map(|e| e.unwrap().path()).collect();
    for mail in &outbox {
        let eml = std::fs::read_to_string(mail).unwrap();
        if let Some(at) = eml.find("token=verify_") {
            secrets.push(
                eml[at + 6..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "_-".contains(*c))
                    .collect(),
            );
        }
    }

    // An admin: the first-run invitation (printed by design), a session, a new key, a reveal.
    let log = std::fs::read_to_string(&log_path).unwrap();
    let invite = log
        .split_whitespace()
        .find(|w| w.contains("/console/#/invite/"))
        .expect("first-run link")
        .to_string();
    let code = invite.rsplit('/').next().unwrap().to_string();
    let accepted = http
        .post(format!("{base}/admin/invites/accept"))
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    let register = text(&accepted.json::<Value>().await.unwrap()["token"]);
    let config: Value =
        http.get(format!("{base}/console/config.json")).send().await.unwrap().json().await.unwrap();
    let console = ("ApiKey", text(&config["apiKey"]));
    let origin = format!("http://localhost:{port}");
    let begin = post(
        "/register/begin",
        console.clone(),
        json!({"token": register, "RPID": CONSOLE_RP, "Origin": origin}),
    )
    .await;
    let mut admin_key = SoftPasskey::new();
    let response = admin_key.create(&begin["data"], &origin);
    let done = post("/register/complete", console.clone(), json!({"session": begin["session"], "response": response, "RPID": CONSOLE_RP, "Origin": origin})).await;
    let session: Value = http
        .post(format!("{base}/admin/session"))
        .json(&json!({"token": done["token"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = text(&session["session"]);
    secrets.extend([register, bearer.clone()]);
    let new_key: Value = http
        .post(format!("{base}/admin/apps/shop/secret-keys"))
        .bearer_auth(&bearer)
        .json(&json!({"scopes": [0, 1]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_key = text(&new_key["apiKey"]);
    let id = &new_key[new_key.len() - 4..];
    let revealed: Value = http
        .get(format!("{base}/admin/apps/shop/api-keys/{id}/reveal"))
        .bearer_auth(&bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(text(&revealed["apiKey"]), new_key);
    secrets.push(new_key);

    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("DEBUG") || log.contains("INFO"), "the log was captured");
    for secret in &secrets {
        assert!(secret.len() >= 20, "a real secret: {secret}");
        assert!(!log.contains(secret.as_str()), "the log holds a secret: {secret}");
    }
    // Only the deliberate first-run invitation looks like a token in the log.
    for word in log.split(|c: char| !(c.is_ascii_alphanumeric() || "_-:".contains(c))) {
        let tokenish = ["register_", "session_", "verify_", "admin_", "invite_"]
            .iter()
            .any(|p| word.starts_with(p) && word.len() >= p.len() + 32);
        let keyish = word.contains(":secret:") && word.len() > 40;
        if (tokenish && word != code) || keyish {
            panic!("the log holds something secret-looking: {word}");
        }
    }
    // At rest only hashes: neither the database nor its WAL contains any of them.
    let mut files = vec![std::fs::read(data.join("ferrokey.db")).unwrap()];
    files.extend(std::fs::read(data.join("ferrokey.db-wal")).ok());
    for secret in secrets.iter().chain([&code]) {
        for bytes in &files {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "stored in clear: {secret}"
            );
        }
    }
    println!(
        "secrets: {} values checked against {} log bytes and the database",
        secrets.len() + 1,
        log.len()
    );
}
