//! Hostile bodies of every shape at every keyed route: each answer is a 2xx or a problem+json
//! 4xx, never a 5xx or a dropped connection.

use crate::harness::{Backend, RP_ID, TestApp, spawn};
use ferrokey_http::routes::Access;
use serde_json::{Value, json};

fn values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(0),
        json!(-1),
        json!(1.5e300),
        json!(18446744073709551615u64),
        json!(true),
        json!(""),
        json!("x".repeat(5000)),
        json!("\u{0000}\u{ffff}😀"),
        json!("verify_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        json!("session_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        json!("register_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        json!("https://app.example.com"),
        json!([]),
        json!([1, "a", null]),
        json!({}),
        json!({"a": {"b": [{}]}}),
    ]
}

const FIELDS: [&str; 22] = [
    "token",
    "session",
    "RPID",
    "Origin",
    "userId",
    "username",
    "displayName",
    "alias",
    "aliases",
    "aliasHashing",
    "purpose",
    "nickname",
    "attestation",
    "authenticatorType",
    "userVerification",
    "discoverable",
    "hints",
    "expiresAt",
    "response",
    "id",
    "rawId",
    "clientDataJson",
];

/// Credential shapes for the complete endpoints: every inner member hostile in turn.
fn credentials() -> Vec<Value> {
    let mut out = Vec::new();
    for value in values() {
        for member in ["id", "rawId", "type", "clientExtensionResults", "response"] {
            out.push(json!({"id": "AAAA", "rawId": "AAAA", "type": "public-key", member: value}));
        }
        for member in [
            "AttestationObject",
            "clientDataJson",
            "authenticatorData",
            "signature",
            "userHandle",
            "transports",
        ] {
            out.push(json!({"id": "AAAA", "rawId": "AAAA", "response": {"clientDataJson": "e30", member: value}}));
        }
    }
    // Well-formed base64url that decodes to garbage CBOR / JSON.
    out.push(json!({"id": "AAAA", "rawId": "AAAA", "response": {"AttestationObject": "oWNmbXRkbm9uZQ", "clientDataJson": "e30"}}));
    out.push(json!({"id": "AAAA", "rawId": "AAAA", "response": {"authenticatorData": "AAAA", "clientDataJson": "bm90IGpzb24", "signature": "AAAA"}}));
    out
}

async fn check(app: &TestApp, path: &str, header: &str, key: &str, body: &Value) {
    let reply = app.post_raw(path, &[(header, key)], body.to_string().into_bytes()).await;
    assert!(reply.status < 500, "{path} {body} → {} {}", reply.status, reply.text);
    if reply.status >= 400 {
        assert_eq!(
            reply.content_type(),
            "application/problem+json",
            "{path} {body} → {}",
            reply.text
        );
    }
}

#[tokio::test]
async fn no_body_shape_causes_a_server_error() {
    let app = spawn(Backend::Sqlite, "testapp").await;
    for route in ferrokey_http::routes() {
        let Access::Key(header, _) = route.access else { continue };
        let key = if header.name() == "ApiKey" { app.key.clone() } else { app.secret.clone() };
        for field in FIELDS {
            for value in values() {
                let body =
                    json!({field: value, "RPID": RP_ID, "Origin": "https://app.example.com"});
                check(&app, route.path, header.name(), &key, &body).await;
            }
        }
        if route.path.ends_with("/complete") {
            for credential in credentials() {
                let body = json!({"session": "session_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "RPID": RP_ID, "Origin": "https://app.example.com", "response": credential});
                check(&app, route.path, header.name(), &key, &body).await;
            }
        }
    }
}
