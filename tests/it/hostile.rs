//! Hostile input: every refusal is a problem+json 4xx with the contract's code and text.

use crate::authenticator::SoftPasskey;
use crate::harness::{Backend, ORIGIN, RP_ID, TestApp, on_both_stores, spawn};
use chrono::Duration;
use serde_json::json;

#[tokio::test]
async fn a_session_cannot_be_replayed() {
    on_both_stores(a_session_cannot_be_replayed_on).await;
}

async fn a_session_cannot_be_replayed_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    let begin = app.signin_begin(json!({"userId": "u"})).await;
    let session = begin.ok()["session"].as_str().unwrap().to_string();
    let first = passkey.get(&begin.body["data"], ORIGIN);
    app.signin_complete(&session, first).await.ok();
    let second = passkey.get(&begin.body["data"], ORIGIN);
    app.signin_complete(&session, second).await.problem(400, Some("invalid_token"));
}

#[tokio::test]
async fn a_verify_token_works_once() {
    on_both_stores(a_verify_token_works_once_on).await;
}

async fn a_verify_token_works_once_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    let token = app.register(&mut passkey, "u", json!({})).await;
    app.verify(&token).await.ok();
    app.verify(&token).await.problem(400, Some("invalid_token"));
}

// Several worker threads, so the requests really race inside the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_verifies_of_one_token_yield_exactly_one_success() {
    // On DynamoDB through a moto that serialises requests, as DynamoDB serialises
    // transactions (the shared moto does not: see moto::SerialMoto).
    concurrent_verifies_of_one_token_yield_exactly_one_success_on(
        spawn(Backend::Sqlite, "testapp").await,
    )
    .await;
    let serial = crate::moto::SerialMoto::start();
    let app = crate::harness::spawn_on(Backend::Dynamo, "testapp", &serial.endpoint).await;
    concurrent_verifies_of_one_token_yield_exactly_one_success_on(app).await;
}

async fn concurrent_verifies_of_one_token_yield_exactly_one_success_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    let token = app.register(&mut passkey, "u", json!({})).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (app, token) = (app.clone(), token.clone());
        tasks.spawn(async move { app.verify(&token).await.status });
    }
    let statuses: Vec<u16> = tasks.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 400), "{statuses:?}");
}

// Several worker threads, so the requests really race inside the server.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_completes_of_one_session_yield_exactly_one_success() {
    // DynamoDB serialises transactions; the shared moto does not (see moto::SerialMoto), so
    // the DynamoDB half runs on a moto that serves one request at a time.
    concurrent_completes_of_one_session_yield_exactly_one_success_on(
        spawn(Backend::Sqlite, "testapp").await,
    )
    .await;
    let serial = crate::moto::SerialMoto::start();
    let app = crate::harness::spawn_on(Backend::Dynamo, "testapp", &serial.endpoint).await;
    concurrent_completes_of_one_session_yield_exactly_one_success_on(app).await;
}

async fn concurrent_completes_of_one_session_yield_exactly_one_success_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    let begin = app.signin_begin(json!({"userId": "u"})).await;
    let session = begin.ok()["session"].as_str().unwrap().to_string();
    let response = passkey.get(&begin.body["data"], ORIGIN);
    let app = std::sync::Arc::new(app);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (app, session, response) = (app.clone(), session.clone(), response.clone());
        tasks.spawn(async move { app.signin_complete(&session, response).await.status });
    }
    let statuses: Vec<u16> = tasks.join_all().await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 400), "{statuses:?}");
}

#[tokio::test]
async fn wrong_origin_is_refused() {
    on_both_stores(wrong_origin_is_refused_on).await;
}

async fn wrong_origin_is_refused_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    // The browser signed for another origin than the request names.
    let begin = app.signin_begin(json!({"userId": "u"})).await;
    let response = passkey.get(&begin.ok()["data"], "https://evil.example.com");
    let done = app.signin_complete(begin.body["session"].as_str().unwrap(), response).await;
    done.problem(400, Some("signin_complete_error"));
    // An origin outside the RP ID is refused before any challenge is issued.
    let reply = app.signin_begin(json!({"Origin": "https://evil.com"})).await;
    reply.problem(400, Some("invalid_origin"));
    let reply = app.signin_begin(json!({"Origin": "http://app.example.com"})).await;
    reply.problem(400, Some("invalid_origin"));
    // And at registration.
    let token = app.register_token("v", json!({})).await;
    let reply = app
        .public_post(
            "/register/begin",
            json!({"token": token, "RPID": RP_ID, "Origin": "https://example.org"}),
        )
        .await;
    reply.problem(400, Some("invalid_origin"));
}

#[tokio::test]
async fn wrong_rp_id_is_refused() {
    on_both_stores(wrong_rp_id_is_refused_on).await;
}

async fn wrong_rp_id_is_refused_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    passkey.rp_id_override = Some("other.com".into());
    let token = app.register_token("u", json!({})).await;
    let begin = app.register_begin(&token).await;
    let response = passkey.create(&begin.ok()["data"], ORIGIN);
    let done = app.register_complete(begin.body["session"].as_str().unwrap(), response).await;
    done.problem(400, Some("fido2_invalid_registration"));

    let mut good = SoftPasskey::new();
    app.register(&mut good, "w", json!({})).await;
    good.rp_id_override = Some("other.com".into());
    app.signin(&mut good, json!({"userId": "w"})).await.problem(400, Some("signin_complete_error"));
}

#[tokio::test]
async fn counter_regression_is_refused() {
    on_both_stores(counter_regression_is_refused_on).await;
}

async fn counter_regression_is_refused_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    passkey.counter = 9;
    app.signin(&mut passkey, json!({"userId": "u"})).await.ok(); // counter 10
    passkey.counter = 4;
    let reply = app.signin(&mut passkey, json!({"userId": "u"})).await; // counter 5
    let body = reply.problem(400, Some("signin_complete_error"));
    assert!(body["title"].as_str().unwrap().contains("counter"), "{body}");
    let creds = app.service.store.list_credentials(&app.app_id, "u").await.unwrap();
    assert_eq!(creds[0].signature_counter, 10);
}

#[tokio::test]
async fn tampered_signature_is_refused() {
    on_both_stores(tampered_signature_is_refused_on).await;
}

async fn tampered_signature_is_refused_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    passkey.tamper_signature = true;
    app.signin(&mut passkey, json!({"userId": "u"}))
        .await
        .problem(400, Some("signin_complete_error"));
}

#[tokio::test]
async fn unknown_credential_echoes_its_id() {
    on_both_stores(unknown_credential_echoes_its_id_on).await;
}

async fn unknown_credential_echoes_its_id_on(app: TestApp) {
    let mut stranger = SoftPasskey::new();
    let begin = app.signin_begin(json!({})).await;
    let response = stranger.get(&begin.ok()["data"], ORIGIN);
    let id = response["id"].clone();
    let done = app.signin_complete(begin.body["session"].as_str().unwrap(), response).await;
    let body = done.problem(400, Some("unknown_credential"));
    assert_eq!(body["title"], "We don't recognize the passkey you sent us.");
    assert_eq!(body["credentialId"], id);
}

#[tokio::test]
async fn expired_tokens_say_how_long_ago() {
    on_both_stores(expired_tokens_say_how_long_ago_on).await;
}

async fn expired_tokens_say_how_long_ago_on(app: TestApp) {
    let token = app.register_token("u", json!({})).await;
    app.clock.advance(Duration::seconds(130));
    let reply = app.register_begin(&token).await;
    let body = reply.problem(403, Some("expired_token"));
    assert_eq!(body["title"], "The token expired 10 seconds ago.");

    let mut passkey = SoftPasskey::new();
    let verify_token = app.register(&mut passkey, "v", json!({})).await;
    app.clock.advance(Duration::seconds(150));
    let body = app.verify(&verify_token).await;
    assert_eq!(
        body.problem(403, Some("expired_token"))["title"],
        "The token expired 30 seconds ago."
    );
}

#[tokio::test]
async fn expired_sessions_are_refused() {
    on_both_stores(expired_sessions_are_refused_on).await;
}

async fn expired_sessions_are_refused_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    let begin = app.signin_begin(json!({"userId": "u"})).await;
    app.clock.advance(Duration::seconds(600));
    let response = passkey.get(&begin.ok()["data"], ORIGIN);
    let done = app.signin_complete(begin.body["session"].as_str().unwrap(), response).await;
    done.problem(403, Some("expired_token"));
}

#[tokio::test]
async fn tokens_are_bound_to_their_app() {
    for backend in [Backend::Sqlite, Backend::Dynamo] {
        tokens_are_bound_to_their_app_on(backend).await;
    }
}

async fn tokens_are_bound_to_their_app_on(backend: Backend) {
    let a = spawn(backend, "appone").await;
    let b = spawn(backend, "apptwo").await;
    let token = a.register_token("u", json!({})).await;
    // Same prefix and shape, but app two never issued it (its store does not even hold it).
    b.register_begin(&token).await.problem(400, Some("invalid_token"));
    // A session token where a register token belongs.
    let begin = a.register_begin(&token).await;
    let session = begin.ok()["session"].as_str().unwrap();
    a.register_begin(session).await.problem(400, Some("invalid_token"));
}

#[tokio::test]
async fn malformed_token_values() {
    on_both_stores(malformed_token_values_on).await;
}

async fn malformed_token_values_on(app: TestApp) {
    let reply = app.verify("").await;
    let body = reply.problem(400, Some("missing_token"));
    assert_eq!(
        body["title"],
        "This operation requires a token that starts with 'verify_' to be passed."
    );
    app.verify("register_abcdefghijklmnop").await.problem(400, Some("invalid_token"));
    app.verify("verify_not+base64/url==").await.problem(400, Some("invalid_token_format"));
    app.secret_post("/signin/verify", json!({})).await.problem(400, Some("missing_token"));
}

#[tokio::test]
async fn register_token_validation() {
    on_both_stores(register_token_validation_on).await;
}

async fn register_token_validation_on(app: TestApp) {
    let reply = app.secret_post("/register/token", json!({"username": "x"})).await;
    assert_eq!(
        reply.problem(400, None)["errors"],
        json!({"userId": ["The UserId field is required."]})
    );
    let reply = app.secret_post("/register/token", json!({"userId": "", "username": ""})).await;
    assert_eq!(
        reply.problem(400, None)["errors"],
        json!({"userId": ["The UserId field is required."], "username": ["The Username field is required."]})
    );
    assert_eq!(reply.body["title"], "One or more validation errors occurred.");
    let long = "x".repeat(65);
    let reply = app.secret_post("/register/token", json!({"userId": long, "username": "x"})).await;
    assert!(reply.problem(400, None)["errors"]["userId"].is_array());
    let eleven: Vec<String> = (0..11).map(|i| format!("a{i}")).collect();
    let reply = app
        .secret_post("/register/token", json!({"userId": "u", "username": "x", "aliases": eleven}))
        .await;
    assert!(reply.problem(400, None)["errors"]["aliases"].is_array());
    let reply = app
        .secret_post(
            "/register/token",
            json!({"userId": "u", "username": "x", "aliases": ["a".repeat(251)]}),
        )
        .await;
    assert!(reply.problem(400, None)["errors"]["aliases"].is_array());
    for bad in ["enterprise", "other"] {
        let reply = app
            .secret_post(
                "/register/token",
                json!({"userId": "u", "username": "x", "attestation": bad}),
            )
            .await;
        assert_eq!(
            reply.problem(400, Some("invalid_attestation"))["title"],
            "Attestation type not supported"
        );
    }
    for fine in ["none", "", "None"] {
        app.secret_post(
            "/register/token",
            json!({"userId": "u", "username": "x", "attestation": fine}),
        )
        .await
        .ok();
    }
    let reply = app
        .secret_post(
            "/register/token",
            json!({"userId": "u", "username": "x", "attestation": "direct"}),
        )
        .await;
    reply.problem(400, Some("attestation_not_supported_on_plan"));
    // Bad enum strings surface at begin, as upstream.
    let token = app.register_token("u", json!({"userVerification": "sometimes"})).await;
    app.register_begin(&token).await.problem(400, Some("invalid_argument"));
}

#[tokio::test]
async fn missing_origin_and_rp_id() {
    on_both_stores(missing_origin_and_rp_id_on).await;
}

async fn missing_origin_and_rp_id_on(app: TestApp) {
    let reply = app.public_post("/signin/begin", json!({"RPID": RP_ID})).await;
    assert_eq!(reply.problem(400, None)["title"], "Origin is required.");
    assert_eq!(reply.body["errorCode"], json!(null));
    let reply = app.public_post("/signin/begin", json!({"Origin": ORIGIN})).await;
    reply.problem(400, None);
}

#[tokio::test]
async fn bad_bodies_are_problems_not_crashes() {
    on_both_stores(bad_bodies_are_problems_not_crashes_on).await;
}

async fn bad_bodies_are_problems_not_crashes_on(app: TestApp) {
    let headers = [("ApiSecret", app.secret.as_str())];
    let reply = app.post_raw("/register/token", &headers, b"{\"userId\": ".to_vec()).await;
    reply.problem(400, Some("invalid_json"));
    let reply = app.post_raw("/register/token", &headers, vec![0xff, 0xfe, 0x00]).await;
    reply.problem(400, Some("invalid_json"));
    let reply = app.post_raw("/register/token", &headers, b"[1, 2, 3]".to_vec()).await;
    reply.problem(400, Some("invalid_json"));
    let deep = format!("{{\"userId\": {}1{}}}", "[".repeat(100), "]".repeat(100));
    app.post_raw("/register/token", &headers, deep.into_bytes())
        .await
        .problem(400, Some("invalid_json"));
    let huge = format!("{{\"userId\": \"{}\"}}", "a".repeat(2 * 1024 * 1024));
    let reply = app.post_raw("/register/token", &headers, huge.into_bytes()).await;
    reply.problem(413, Some("payload_too_large"));
    // Wrong types name the field.
    let reply =
        app.secret_post("/register/token", json!({"userId": {"a": 1}, "username": "x"})).await;
    assert!(reply.problem(400, None)["errors"]["userId"].is_array(), "{}", reply.text);
    let reply = app
        .secret_post(
            "/register/token",
            json!({"userId": "u", "username": "x", "discoverable": "yes"}),
        )
        .await;
    assert!(reply.problem(400, None)["errors"]["discoverable"].is_array(), "{}", reply.text);
    let reply = app
        .secret_post(
            "/register/token",
            json!({"userId": "u", "username": "x", "expiresAt": "tomorrow"}),
        )
        .await;
    assert!(reply.problem(400, None)["errors"]["expiresAt"].is_array(), "{}", reply.text);
}

#[tokio::test]
async fn webauthn_fields_must_be_strict_base64url() {
    on_both_stores(webauthn_fields_must_be_strict_base64url_on).await;
}

async fn webauthn_fields_must_be_strict_base64url_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    let begin = app.signin_begin(json!({"userId": "u"})).await;
    let mut response = passkey.get(&begin.ok()["data"], ORIGIN);
    response["rawId"] = json!("ab+c/d==");
    let done = app.signin_complete(begin.body["session"].as_str().unwrap(), response).await;
    assert!(done.problem(400, None)["errors"]["response.rawId"].is_array(), "{}", done.text);
    let done = app
        .public_post(
            "/signin/complete",
            json!({"session": "session_x", "RPID": RP_ID, "Origin": ORIGIN}),
        )
        .await;
    assert!(done.problem(400, None)["errors"]["response"].is_array(), "{}", done.text);
    let done = app
        .public_post("/register/complete", json!({"session": "session_x", "RPID": RP_ID, "Origin": ORIGIN, "response": {"id": "AAAA", "rawId": "AAAA", "response": {}}}))
        .await;
    assert!(
        done.problem(400, None)["errors"]["response.response.attestationObject"].is_array(),
        "{}",
        done.text
    );
}

#[tokio::test]
async fn nickname_longer_than_64_is_refused() {
    on_both_stores(nickname_longer_than_64_is_refused_on).await;
}

async fn nickname_longer_than_64_is_refused_on(app: TestApp) {
    let token = app.register_token("u", json!({})).await;
    let begin = app.register_begin(&token).await;
    let mut passkey = SoftPasskey::new();
    let response = passkey.create(&begin.ok()["data"], ORIGIN);
    let body = json!({"session": begin.body["session"], "response": response, "nickname": "n".repeat(65), "RPID": RP_ID, "Origin": ORIGIN});
    let reply = app.public_post("/register/complete", body).await;
    assert_eq!(
        reply.problem(400, None)["errors"]["nickname"],
        json!(["Nickname cannot be longer than 64 characters."])
    );
}

#[tokio::test]
async fn a_passkey_cannot_be_registered_twice() {
    on_both_stores(a_passkey_cannot_be_registered_twice_on).await;
}

async fn a_passkey_cannot_be_registered_twice_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "u", json!({})).await;
    let token = app.register_token("other", json!({})).await;
    let begin = app.register_begin(&token).await;
    let response = passkey.create(&begin.ok()["data"], ORIGIN);
    let done = app.register_complete(begin.body["session"].as_str().unwrap(), response).await;
    done.problem(400, Some("fido2_invalid_registration"));
}

#[tokio::test]
async fn missing_user_verification_fails_when_required() {
    on_both_stores(missing_user_verification_fails_when_required_on).await;
}

async fn missing_user_verification_fails_when_required_on(app: TestApp) {
    let token = app.register_token("u", json!({"userVerification": "required"})).await;
    let begin = app.register_begin(&token).await;
    let mut passkey = SoftPasskey::new();
    passkey.user_verified = false;
    let response = passkey.create(&begin.ok()["data"], ORIGIN);
    let done = app.register_complete(begin.body["session"].as_str().unwrap(), response).await;
    done.problem(400, Some("fido2_invalid_registration"));
}
