//! Hostile bodies and queries of every shape at every keyed route, on both stores: each answer
//! is a 2xx or a problem+json 4xx, never a 5xx or a dropped connection. Values go up to the
//! body limit, so every stored or echoed member is shown to be bounded before any store call.

use crate::harness::{Backend, RP_ID, TestApp, spawn};
use axum::http::Method;
use serde_json::{Value, json};

/// Values that reach stores and problem texts if nothing bounds them: near the 1 MiB body
/// limit, past DynamoDB's key (2 KB) and item (400 KB) limits, multi-byte.
pub(crate) fn big_values() -> Vec<Value> {
    vec![json!("x".repeat(1000)), json!("é".repeat(35_000)), json!("z".repeat(900_000))]
}

pub(crate) fn values() -> Vec<Value> {
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

const FIELDS: [&str; 33] = [
    "hashing",
    "credentialId",
    "timeToLive",
    "emailAddress",
    "urlTemplate",
    "performedBy",
    "eventLoggingRetentionPeriod",
    "enableMagicLinks",
    "enableManuallyGeneratedAuthenticationTokens",
    "userVerificationRequirement",
    "pageNumber",
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
fn credentials(values: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for value in values {
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

pub(crate) fn short(text: &str) -> String {
    text.chars().take(300).collect()
}

async fn check(app: &TestApp, path: &str, header: &str, key: &str, body: &Value) {
    let reply = app.post_raw(path, &[(header, key)], body.to_string().into_bytes()).await;
    let shown = short(&body.to_string());
    assert!(reply.status < 500, "{path} {shown} → {} {}", reply.status, short(&reply.text));
    if reply.status >= 400 {
        assert_eq!(reply.content_type(), "application/problem+json", "{path} {shown}");
        assert!(reply.text.len() < 4096, "{path}: a problem echoes unbounded input");
    }
}

async fn check_get(app: &TestApp, path: &str, key: &str, field: &str, value: &str) {
    let query: String = url_encode(value);
    let reply = app.get_raw(&format!("{path}?{field}={query}"), &[("ApiSecret", key)]).await;
    assert!(reply.status < 500, "{path}?{field}=… → {} {}", reply.status, short(&reply.text));
    if reply.status >= 400 {
        assert_eq!(reply.content_type(), "application/problem+json", "{path}?{field}");
    }
}

pub(crate) fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(
            |b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            },
        )
        .collect()
}

/// Every keyed route with every member set to every value; GET routes with every query
/// parameter (values that fit in a URL).
async fn hammer(app: &TestApp, values: &[Value]) {
    for route in ferrokey_http::routes() {
        let Some((header, _)) = route.access.key() else { continue };
        let key = if header.name() == "ApiKey" { app.key.clone() } else { app.secret.clone() };
        if route.method == Method::GET {
            for field in ["userId", "purpose", "pageNumber", "numberOfResults", "from", "to"] {
                for value in
                    ["", "x", &"x".repeat(5000), "-1", "99999999999999999999", "2026-13-45"]
                {
                    check_get(app, route.path, &key, field, value).await;
                }
            }
            continue;
        }
        for field in FIELDS {
            for value in values {
                let body =
                    json!({field: value, "RPID": RP_ID, "Origin": "https://app.example.com"});
                check(app, route.path, header.name(), &key, &body).await;
            }
        }
        if route.path.ends_with("/complete") {
            for credential in credentials(values) {
                let body = json!({"session": "session_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "RPID": RP_ID, "Origin": "https://app.example.com", "response": credential});
                check(app, route.path, header.name(), &key, &body).await;
            }
        }
    }
}

#[tokio::test]
async fn no_body_shape_causes_a_server_error() {
    let app = spawn(Backend::Sqlite, "testapp").await;
    let mut all = values();
    all.extend(big_values());
    hammer(&app, &all).await;
}

/// The same on DynamoDB, with the values that could reach its limits (moto is slow, so the
/// small shapes, which stop at the same validation as on SQLite, are left to the run above),
/// on a moto of its own so its load does not slow other tests.
#[tokio::test]
async fn no_body_shape_causes_a_server_error_on_dynamodb() {
    let app = crate::harness::spawn_on(Backend::Dynamo, "testapp", crate::moto::heavy()).await;
    let mut values = big_values();
    values.push(json!("\u{0000}\u{ffff}😀"));
    hammer(&app, &values).await;
}
