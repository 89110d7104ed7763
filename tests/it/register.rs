//! Registration ceremonies end to end.

use crate::authenticator::{SoftPasskey, b64};
use crate::harness::{ORIGIN, RP_ID, TestApp, on_both_stores};
use base64::Engine;
use serde_json::json;

#[tokio::test]
async fn register_then_verify() {
    on_both_stores(register_then_verify_on).await;
}

async fn register_then_verify_on(app: TestApp) {
    let token = app.register_token("user-1", json!({"displayName": "User One"})).await;
    assert!(token.starts_with("register_"));

    let begin = app.register_begin(&token).await;
    let begin = begin.ok();
    let session = begin["session"].as_str().unwrap();
    assert!(session.starts_with("session_"));
    let data = &begin["data"];
    assert_eq!(data["rp"], json!({"id": RP_ID, "name": RP_ID}));
    assert_eq!(data["user"]["name"], "user-1@example.com");
    assert_eq!(data["user"]["displayName"], "User One");
    assert_eq!(data["user"]["id"], b64(b"user-1"));
    assert_eq!(data["timeout"], 60000);
    assert_eq!(data["attestation"], "none");
    assert_eq!(data["hints"], json!([]));
    assert_eq!(data["excludeCredentials"], json!([]));
    assert_eq!(data["extensions"], json!({"credProps": true}));
    let selection = &data["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required");
    assert_eq!(selection["requireResidentKey"], true);
    assert_eq!(selection["userVerification"], "preferred");
    // Optional members are omitted, never null (Chrome throws on nulls).
    assert!(selection.get("authenticatorAttachment").is_none());
    assert!(!begin.to_string().contains("null"), "{begin}");
    assert!(data["pubKeyCredParams"].as_array().unwrap().iter().any(|p| p["alg"] == -7));

    let mut passkey = SoftPasskey::new();
    let response = passkey.create(data, ORIGIN);
    let done = app.register_complete(session, response).await;
    let verify_token = done.ok()["token"].as_str().unwrap().to_string();
    assert!(verify_token.starts_with("verify_"));

    let verified = app.verify(&verify_token).await;
    let v = verified.ok();
    assert_eq!(v["userId"], "user-1");
    assert_eq!(v["type"], "passkey_register");
    assert_eq!(v["success"], true);
    assert_eq!(v["rpId"], RP_ID);
    assert_eq!(v["origin"], ORIGIN);
    assert_eq!(v["nickname"], "My key");
    assert_eq!(v["country"], "");
    assert_eq!(v["purpose"], json!(null));
    let std_id = base64::engine::general_purpose::STANDARD.encode(&passkey.credential_id);
    assert_eq!(v["credentialId"], json!(std_id));
    assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(v["expiresAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["tokenId"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn register_token_options_reach_the_creation_options() {
    on_both_stores(register_token_options_reach_the_creation_options_on).await;
}

async fn register_token_options_reach_the_creation_options_on(app: TestApp) {
    let token = app
        .register_token(
            "user-2",
            json!({"discoverable": false, "authenticatorType": "cross-platform", "userVerification": "Required", "hints": ["client-device"]}),
        )
        .await;
    let begin = app.register_begin(&token).await;
    let data = &begin.ok()["data"];
    let selection = &data["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "discouraged");
    assert_eq!(selection["requireResidentKey"], false);
    assert_eq!(selection["userVerification"], "required");
    // The first hint overrides the attachment.
    assert_eq!(selection["authenticatorAttachment"], "platform");
    assert_eq!(data["hints"], json!(["client-device"]));
}

#[tokio::test]
async fn register_token_is_reusable_and_excludes_existing_passkeys() {
    on_both_stores(register_token_is_reusable_and_excludes_existing_passkeys_on).await;
}

async fn register_token_is_reusable_and_excludes_existing_passkeys_on(app: TestApp) {
    let mut first = SoftPasskey::new();
    app.register(&mut first, "user-3", json!({})).await;
    let token = app.register_token("user-3", json!({})).await;
    let one = app.register_begin(&token).await;
    let two = app.register_begin(&token).await;
    assert_ne!(one.ok()["session"], two.ok()["session"]);
    let excluded = &two.body["data"]["excludeCredentials"];
    assert_eq!(excluded, &json!([{"type": "public-key", "id": b64(&first.credential_id)}]));
    // A second passkey for the same user registers fine.
    let mut second = SoftPasskey::new();
    let response = second.create(&two.body["data"], ORIGIN);
    app.register_complete(two.body["session"].as_str().unwrap(), response).await.ok();
}

#[tokio::test]
async fn numbers_are_accepted_for_string_fields() {
    on_both_stores(numbers_are_accepted_for_string_fields_on).await;
}

async fn numbers_are_accepted_for_string_fields_on(app: TestApp) {
    let reply = app.secret_post("/register/token", json!({"UserId": 123, "Username": 456})).await;
    let token = reply.ok()["token"].as_str().unwrap().to_string();
    let begin = app.register_begin(&token).await;
    assert_eq!(begin.ok()["data"]["user"]["id"], b64(b"123"));
}

#[tokio::test]
async fn country_comes_from_the_trusted_header() {
    on_both_stores(country_comes_from_the_trusted_header_on).await;
}

async fn country_comes_from_the_trusted_header_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    let token = app.register_token("user-4", json!({})).await;
    let begin = app.register_begin(&token).await;
    let begin = begin.ok();
    let response = passkey.create(&begin["data"], ORIGIN);
    let body =
        json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN});
    let headers = [
        ("ApiKey", app.key.as_str()),
        ("CF-IPCountry", "se"),
        (
            "User-Agent",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        ),
    ];
    let done = app.post_raw("/register/complete", &headers, body.to_string().into_bytes()).await;
    let verified = app.verify(done.ok()["token"].as_str().unwrap()).await;
    assert_eq!(verified.ok()["country"], "SE");
    assert_eq!(verified.body["device"], "Chrome, Mac OS X 10");
    assert_eq!(verified.body["nickname"], json!(null));
}

#[tokio::test]
async fn aliases_given_at_token_time_are_claimed_at_completion() {
    on_both_stores(aliases_given_at_token_time_are_claimed_at_completion_on).await;
}

async fn aliases_given_at_token_time_are_claimed_at_completion_on(app: TestApp) {
    let mut alice = SoftPasskey::new();
    app.register(&mut alice, "alice", json!({"aliases": ["alice@example.com"]})).await;
    // The alias now belongs to alice: bob cannot claim it.
    let reply = app
        .secret_post(
            "/register/token",
            json!({"userId": "bob", "username": "bob", "aliases": ["alice@example.com"]}),
        )
        .await;
    let body = reply.problem(409, Some("alias_conflict"));
    assert_eq!(body["title"], "Alias is already in use by another userid");
    // Alice may repeat her own alias.
    app.register_token("alice", json!({"aliases": ["alice@example.com"], "aliasHashing": false}))
        .await;
}
