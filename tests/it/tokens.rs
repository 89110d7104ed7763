//! Generated sign-in tokens, magic links and the app's feature flags over HTTP, on both stores.
//! Mail is read back from the outbox folder (SQLite host) and from moto's SES (AWS host).

use crate::harness::{TestApp, on_both_stores};
use chrono::{DateTime, Duration};
use serde_json::{Value, json};

/// A recipient no other test mails (moto's SES store is shared by every test).
fn unique_email(label: &str) -> String {
    format!("{label}-{:016x}@example.com", rand::random::<u64>())
}

/// Moves the test clock to 1 s into the next 5-minute window, so a rate-limit window cannot
/// roll over in the middle of a test.
fn start_of_rate_window(app: &TestApp) {
    let now = app.service.clock.now().timestamp();
    app.clock.advance(Duration::seconds(300 - now.rem_euclid(300) + 1));
}

fn seconds(value: &Value) -> i64 {
    DateTime::parse_from_rfc3339(value.as_str().unwrap()).unwrap().timestamp()
}

#[tokio::test]
async fn generated_tokens_verify_once() {
    on_both_stores(generated_tokens_verify_once_on).await;
}

async fn generated_tokens_verify_once_on(app: TestApp) {
    let reply = app.secret_post("/signin/generate-token", json!({"userId": "u-42"})).await;
    let token = reply.ok()["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("verify_"));
    let verified = app.verify(&token).await;
    let body = verified.ok();
    assert_eq!(body["userId"], "u-42");
    assert_eq!(body["type"], "generated_signin");
    assert_eq!(body["purpose"], "sign-in");
    assert_eq!(body["success"], true);
    // No ceremony ran: the ceremony fields are empty strings (the Python SDK refuses null).
    for field in ["device", "country", "credentialId", "origin"] {
        assert_eq!(body[field], "", "{field}");
    }
    assert_eq!(seconds(&body["expiresAt"]) - seconds(&body["timestamp"]), 120);
    app.verify(&token).await.problem(400, Some("invalid_token"));

    // A purpose, a lifetime and the RP of the backend's choosing are carried.
    let reply = app
        .secret_post(
            "/signin/generate-token",
            json!({"userId": 7, "timeToLive": 604800, "purpose": "step-up", "RPID": "example.com", "Origin": "https://example.com"}),
        )
        .await;
    let body = app.verify(reply.ok()["token"].as_str().unwrap()).await.ok().clone();
    assert_eq!(body["userId"], "7");
    assert_eq!(body["purpose"], "step-up");
    assert_eq!(body["rpId"], "example.com");
    assert_eq!(seconds(&body["expiresAt"]) - seconds(&body["timestamp"]), 604_800);

    // The lifetime really is the lifetime.
    let reply =
        app.secret_post("/signin/generate-token", json!({"userId": "u", "timeToLive": 5})).await;
    let token = reply.ok()["token"].as_str().unwrap().to_string();
    app.clock.advance(Duration::seconds(6));
    let expired = app.verify(&token).await;
    assert_eq!(
        expired.problem(403, Some("expired_token"))["title"],
        "The token expired 1 second ago."
    );

    for (body, field) in [
        (json!({}), "userId"),
        (json!({"userId": ""}), "userId"),
        (json!({"userId": "u", "timeToLive": 0}), "timeToLive"),
        (json!({"userId": "u", "timeToLive": 604801}), "timeToLive"),
        (json!({"userId": "u", "timeToLive": 1e40}), "timeToLive"),
        (json!({"userId": "u", "purpose": "has space"}), "purpose"),
        (json!({"userId": "u", "purpose": "p".repeat(256)}), "purpose"),
    ] {
        let reply = app.secret_post("/signin/generate-token", body.clone()).await;
        assert!(reply.problem(400, None)["errors"][field].is_array(), "{body}: {}", reply.text);
    }
}

#[tokio::test]
async fn features_switch_endpoints_off_and_on_at_once() {
    on_both_stores(features_switch_endpoints_off_and_on_at_once_on).await;
}

async fn features_switch_endpoints_off_and_on_at_once_on(app: TestApp) {
    let features = |body: Value| app.secret_post("/apps/features", body);
    // The Python SDK's member is unknown upstream too: ignored, 204.
    let reply = features(json!({"auditLoggingRetentionPeriod": 30})).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    assert!(reply.text.is_empty());

    let off = features(json!({"enableManuallyGeneratedAuthenticationTokens": false}));
    assert_eq!(off.await.status, 204);
    let refused = app.secret_post("/signin/generate-token", json!({"userId": "u"})).await;
    assert_eq!(
        refused.problem(403, None)["title"],
        "The 'POST /signin/generate-token' endpoint is disabled"
    );
    // Patch semantics: switching magic links off leaves generated tokens off.
    assert_eq!(features(json!({"enableMagicLinks": false})).await.status, 204);
    app.secret_post("/signin/generate-token", json!({"userId": "u"})).await.problem(403, None);
    let send = app
        .secret_post(
            "/magic-links/send",
            json!({"emailAddress": unique_email("off"), "urlTemplate": "https://a.example/?t=$TOKEN", "userId": "u"}),
        )
        .await;
    assert_eq!(
        send.problem(403, None)["title"],
        "You must enable Magic Links in settings in order to use this feature."
    );
    let on = features(
        json!({"enableManuallyGeneratedAuthenticationTokens": true, "enableMagicLinks": true}),
    );
    assert_eq!(on.await.status, 204);
    app.secret_post("/signin/generate-token", json!({"userId": "u"})).await.ok();
    let stored = app.service.store.get_app(&app.app_id).await.unwrap().unwrap();
    assert!(stored.features.magic_links_enabled && stored.features.generate_signin_token_enabled);

    assert_eq!(features(json!({"eventLoggingRetentionPeriod": 30})).await.status, 204);
    let stored = app.service.store.get_app(&app.app_id).await.unwrap().unwrap();
    assert_eq!(stored.features.event_logging_retention_days, 30);
    for bad in [json!(-1), json!(91), json!("x")] {
        let reply = features(json!({"eventLoggingRetentionPeriod": bad})).await;
        assert!(reply.problem(400, None)["errors"]["eventLoggingRetentionPeriod"].is_array());
    }
}

#[tokio::test]
async fn magic_link_end_to_end() {
    on_both_stores(magic_link_end_to_end_on).await;
}

async fn magic_link_end_to_end_on(app: TestApp) {
    let to = unique_email("alice");
    let send = |to: String, template: &str| {
        app.secret_post(
            "/magic-links/send",
            json!({"emailAddress": to, "urlTemplate": template, "userId": "alice"}),
        )
    };
    let template = "https://shop.example.com/login?token=$TOKEN&next=/cart";
    // A new app may only mail its admins during its first day.
    let young = send(to.clone(), template).await;
    young.problem(403, Some("magic_link_email_admin_address_only"));
    assert!(app.mail_to(&to).await.is_empty());

    app.clock.advance(Duration::hours(25));
    start_of_rate_window(&app);
    let sent = send(to.clone(), template).await;
    assert_eq!(sent.status, 204, "{}", sent.text);
    let mail = app.mail_to(&to).await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].subject, "Sign in to shop.example.com");
    assert!(mail[0].from.contains("\"Sign in to shop.example.com\" <"), "{}", mail[0].from);
    assert!(mail[0].body.contains("Let's get you logged in"));
    let link = mail[0].link().replace("&amp;", "&");
    assert!(link.starts_with("https://shop.example.com/login?token=verify_"), "{link}");
    assert!(link.ends_with("&next=/cart"), "{link}");
    let token = link["https://shop.example.com/login?token=".len()..].split('&').next().unwrap();

    let verified = app.verify(token).await;
    let body = verified.ok();
    assert_eq!(body["userId"], "alice");
    assert_eq!(body["type"], "magic_link");
    assert_eq!(seconds(&body["expiresAt"]) - seconds(&body["timestamp"]), 3600);
    // Single use: a forwarded or replayed link is refused.
    app.verify(token).await.problem(400, Some("invalid_token"));
}

#[tokio::test]
async fn magic_link_validation() {
    on_both_stores(magic_link_validation_on).await;
}

async fn magic_link_validation_on(app: TestApp) {
    start_of_rate_window(&app);
    let body = |email: Value, template: Value, ttl: Value| json!({"emailAddress": email, "urlTemplate": template, "userId": "u", "timeToLive": ttl});
    let cases = [
        (
            body(json!("a@example.com"), json!("https://a.example/login"), json!(60)),
            "urlTemplate",
            "You have provided a UrlTemplate without a $TOKEN template. Please include it like so: https://www.example.com?token=$TOKEN",
        ),
        (
            body(json!("a@example.com"), json!("not a url $TOKEN"), json!(60)),
            "urlTemplate",
            "You have provided a UrlTemplate that cannot be converted to a URL.",
        ),
        (
            body(json!("a@example.com"), json!(""), json!(60)),
            "urlTemplate",
            "You have provided a null or empty value for UrlTemplate.",
        ),
        (
            body(json!("not-an-email"), json!("https://a.example/$TOKEN"), json!(60)),
            "emailAddress",
            "The EmailAddress field is not a valid e-mail address.",
        ),
        (
            body(json!(""), json!("https://a.example/$TOKEN"), json!(60)),
            "emailAddress",
            "The EmailAddress field is required.",
        ),
        (
            body(json!("a@example.com"), json!("https://a.example/$TOKEN"), json!(0)),
            "timeToLive",
            "The field TimeToLive must be between 1 and 604800.",
        ),
    ];
    for (request, field, message) in cases {
        let reply = app.secret_post("/magic-links/send", request.clone()).await;
        assert_eq!(reply.problem(400, None)["errors"][field], json!([message]), "{request}");
    }
}

#[tokio::test]
async fn magic_links_are_rate_limited_and_have_a_quota() {
    on_both_stores(magic_links_are_rate_limited_and_have_a_quota_on).await;
}

async fn magic_links_are_rate_limited_and_have_a_quota_on(app: TestApp) {
    let send = |to: String| {
        app.secret_post(
            "/magic-links/send",
            json!({"emailAddress": to, "urlTemplate": "https://a.example/?t=$TOKEN", "userId": "u"}),
        )
    };
    app.clock.advance(Duration::days(31));
    // A quota of 3 for this app (plans set it; the admin API will).
    let mut stored = app.service.store.get_app(&app.app_id).await.unwrap().unwrap();
    stored.features.magic_link_monthly_quota = 3;
    app.service.store.update_app(&stored).await.unwrap();

    start_of_rate_window(&app);
    let to = unique_email("quota");
    for _ in 0..3 {
        assert_eq!(send(to.clone()).await.status, 204);
    }
    let over = send(to.clone()).await;
    over.problem(429, Some("magic_link_email_quota_exceeded"));
    let retry: i64 = over.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=30 * 86_400).contains(&retry), "Retry-After {retry}");
    assert_eq!(app.mail_to(&to).await.len(), 3, "nothing sent past the quota");

    // 10 requests per 5 minutes, whatever they were: the 11th is refused until the window ends.
    for _ in 4..10 {
        send(to.clone()).await.problem(429, Some("magic_link_email_quota_exceeded"));
    }
    let limited = send(to.clone()).await;
    limited.problem(429, Some("rate_limit_exceeded"));
    let retry: i64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&retry), "Retry-After {retry}");

    // Thirty days on, the quota is free again.
    app.clock.advance(Duration::days(31));
    start_of_rate_window(&app);
    assert_eq!(send(to.clone()).await.status, 204);
    assert_eq!(app.mail_to(&to).await.len(), 4);
}
