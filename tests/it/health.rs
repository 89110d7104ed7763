//! The anonymous `/health/*` endpoints on both stores.

use crate::harness::{TestApp, on_both_stores};
use serde_json::json;

#[tokio::test]
async fn health_endpoints_report_each_dependency() {
    on_both_stores(health_endpoints_report_each_dependency_on).await;
}

async fn health_endpoints_report_each_dependency_on(app: TestApp) {
    for (path, name) in [("/health/storage", "storage"), ("/health/mail", "mail")] {
        let reply = app.get_raw(path, &[]).await;
        let body = reply.ok();
        assert_eq!(body["status"], "Healthy", "{path}: {}", reply.text);
        assert_eq!(body["results"][name]["status"], "Healthy");
        assert!(body["elapsedMilliseconds"].is_u64());
    }
    let version = app.get_raw("/health/version", &[]).await;
    assert_eq!(version.ok()["results"]["version"]["data"]["version"], env!("CARGO_PKG_VERSION"));
    let api = app.get_raw("/health/throw/api", &[]).await;
    assert_eq!(api.problem(400, Some("test_error"))["title"], "Testing error response");
    let exception = app.get_raw("/health/throw/exception", &[]).await;
    let body = exception.problem(500, None);
    assert_eq!(body["detail"], "The api has encountered an error");
    assert!(!exception.text.contains("deliberate"), "internals never reach the client");
}

#[tokio::test]
async fn mail_health_says_when_no_mail_can_go_out() {
    // A DynamoDB host without FERROKEY_MAIL_FROM has no mailer: unhealthy, 503.
    let clock = std::sync::Arc::new(ferrokey_core::clock::OffsetClock::default());
    let d = crate::harness::dynamo_service(crate::moto::shared(), clock.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = crate::harness::serve(
        d.service,
        d.requests,
        crate::harness::Backend::Dynamo,
        "nomail",
        clock,
        dir,
    )
    .await;
    let reply = app.get_raw("/health/mail", &[]).await;
    assert_eq!(reply.status, 503, "{}", reply.text);
    assert_eq!(reply.body["status"], "Unhealthy");
    let sent = app
        .secret_post(
            "/magic-links/send",
            json!({"emailAddress": "a@example.com", "urlTemplate": "https://a.example/$TOKEN", "userId": "u"}),
        )
        .await;
    // Young app, non-admin address: refused before any mail is attempted.
    sent.problem(403, Some("magic_link_email_admin_address_only"));
}
