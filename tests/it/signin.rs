//! Sign-in ceremonies end to end: by user id, by alias, discoverable, step-up.

use crate::authenticator::{SoftPasskey, b64};
use crate::harness::{ORIGIN, TestApp, on_both_stores};
use base64::Engine;
use serde_json::json;

#[tokio::test]
async fn sign_in_by_user_id_then_verify() {
    on_both_stores(sign_in_by_user_id_then_verify_on).await;
}

async fn sign_in_by_user_id_then_verify_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "user-1", json!({})).await;

    let begin = app.signin_begin(json!({"userId": "user-1"})).await;
    let begin = begin.ok();
    assert!(begin["session"].as_str().unwrap().starts_with("session_"));
    let data = &begin["data"];
    assert_eq!(data["rpId"], "example.com");
    assert_eq!(data["timeout"], 60000);
    assert_eq!(data["userVerification"], "preferred");
    assert_eq!(
        data["allowCredentials"],
        json!([{"type": "public-key", "id": b64(&passkey.credential_id)}])
    );
    assert!(data.get("extensions").is_none());

    let response = passkey.get(data, ORIGIN);
    let done = app.signin_complete(begin["session"].as_str().unwrap(), response).await;
    let token = done.ok()["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("verify_"));
    let verified = app.verify(&token).await;
    let v = verified.ok();
    assert_eq!(v["userId"], "user-1");
    assert_eq!(v["type"], "passkey_signin");
    assert_eq!(v["purpose"], "sign-in");
    assert_eq!(v["nickname"], "My key");
    assert_eq!(v["origin"], ORIGIN);
    let std_id = base64::engine::general_purpose::STANDARD.encode(&passkey.credential_id);
    assert_eq!(v["credentialId"], json!(std_id));
}

#[tokio::test]
async fn sign_in_by_alias() {
    on_both_stores(sign_in_by_alias_on).await;
}

async fn sign_in_by_alias_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "user-2", json!({"aliases": ["Two@Example.com"]})).await;
    let done = app.signin(&mut passkey, json!({"alias": "Two@Example.com"})).await;
    let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
    assert_eq!(verified.ok()["userId"], "user-2");

    // Aliases are case-sensitive and an unknown one is not an error: it offers no credentials.
    let begin = app.signin_begin(json!({"alias": "two@example.com"})).await;
    assert_eq!(begin.ok()["data"]["allowCredentials"], json!([]));
}

#[tokio::test]
async fn discoverable_sign_in_finds_the_user_from_the_passkey() {
    on_both_stores(discoverable_sign_in_finds_the_user_from_the_passkey_on).await;
}

async fn discoverable_sign_in_finds_the_user_from_the_passkey_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "user-3", json!({})).await;
    let begin = app.signin_begin(json!({})).await;
    assert_eq!(begin.ok()["data"]["allowCredentials"], json!([]));
    let response = passkey.get(&begin.body["data"], ORIGIN);
    let done = app.signin_complete(begin.body["session"].as_str().unwrap(), response).await;
    let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
    assert_eq!(verified.ok()["userId"], "user-3");
}

#[tokio::test]
async fn step_up_purpose_is_carried_into_the_token() {
    on_both_stores(step_up_purpose_is_carried_into_the_token_on).await;
}

async fn step_up_purpose_is_carried_into_the_token_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "user-4", json!({})).await;
    for (purpose, expected) in
        [(json!("step-up"), "step-up"), (json!(""), "sign-in"), (json!("never-made"), "sign-in")]
    {
        let done = app.signin(&mut passkey, json!({"userId": "user-4", "purpose": purpose})).await;
        let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
        assert_eq!(verified.ok()["purpose"], expected);
    }
}

#[tokio::test]
async fn a_named_user_without_passkeys_cannot_sign_in_with_someone_elses() {
    on_both_stores(a_named_user_without_passkeys_cannot_sign_in_with_someone_elses_on).await;
}

async fn a_named_user_without_passkeys_cannot_sign_in_with_someone_elses_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "owner", json!({})).await;
    let begin = app.signin_begin(json!({"userId": "nobody"})).await;
    assert_eq!(begin.ok()["data"]["allowCredentials"], json!([]));
    let response = passkey.get(&begin.body["data"], ORIGIN);
    let done = app.signin_complete(begin.body["session"].as_str().unwrap(), response).await;
    done.problem(400, Some("signin_complete_error"));
}

#[tokio::test]
async fn counter_and_last_use_are_recorded() {
    on_both_stores(counter_and_last_use_are_recorded_on).await;
}

async fn counter_and_last_use_are_recorded_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "user-5", json!({})).await;
    passkey.counter = 41;
    app.signin(&mut passkey, json!({"userId": "user-5"})).await.ok();
    let creds = app.service.store.list_credentials(&app.app_id, "user-5").await.unwrap();
    assert_eq!(creds.len(), 1);
    assert_eq!(creds[0].signature_counter, 42);
    assert!(creds[0].last_used_at >= creds[0].created_at);
    assert_eq!(creds[0].discoverable, Some(true));
    assert_eq!(creds[0].aaguid.as_deref(), Some("00000000-0000-0000-0000-000000000000"));
    assert_eq!(creds[0].attestation_fmt, "none");
    assert_eq!(creds[0].user_handle, b"user-5".to_vec());
}
