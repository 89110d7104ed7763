//! The event log over HTTP, on both stores: every operation leaves its event (type, who, with
//! which key), ceremonies leave the facts analytics needs, `/events` pages newest first within
//! the app's retention, and refused keys are logged without letting strangers flood the log.

use crate::authenticator::SoftPasskey;
use crate::harness::{ORIGIN, TestApp, on_both_stores};
use chrono::{Duration, Utc};
use ferrokey_core::events::{Ceremony, Stage};
use serde_json::{Value, json};

async fn events(app: &TestApp, query: &str) -> Value {
    app.secret_get(&format!("/events?{query}")).await.ok().clone()
}

fn types(page: &Value) -> Vec<String> {
    page["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventType"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_operation_leaves_its_event() {
    on_both_stores(every_operation_leaves_its_event_on).await;
}

async fn every_operation_leaves_its_event_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    let token = app.register(&mut passkey, "eve", json!({})).await;
    app.verify(&token).await.ok();
    let done = app.signin(&mut passkey, json!({"userId": "eve"})).await;
    app.verify(done.ok()["token"].as_str().unwrap()).await.ok();
    app.secret_post("/alias", json!({"userId": "eve", "aliases": ["eve@x"]})).await;
    app.secret_post("/apps/features", json!({"enableMagicLinks": false, "performedBy": "ops"}))
        .await;
    app.secret_post("/auth-configs/add", json!({"purpose": "pay", "performedBy": "ops"})).await;
    app.secret_post("/signin/generate-token", json!({"userId": "eve"})).await.ok();

    let page = events(&app, "pageNumber=1").await;
    assert_eq!(page["tenantId"], app.app_id);
    let expected = [
        "ApiUserSigninTokenCreated",
        "ApiAuthenticationConfigurationCreated",
        "AdminMagicLinksDisabled",
        "ApiUserSetAliases",
        "ApiUserSignInVerified",
        "ApiUserSignInCompleted",
        "ApiUserSignInBegan",
        "ApiUserSignInVerified",
        "ApiAuthPasskeyRegistrationCompleted",
        "ApiAuthPasskeyRegistrationBegan",
        "ApiAuthUserRegistered",
    ];
    assert_eq!(types(&page), expected, "newest first");
    assert_eq!(page["totalEventCount"], expected.len());
    let all = page["events"].as_array().unwrap();
    let secret_id = &app.secret[app.secret.len() - 4..];
    let public_id = &app.key[app.key.len() - 4..];
    let by_type = |t: &str| all.iter().find(|e| e["eventType"] == t).unwrap().clone();
    let registered = by_type("ApiAuthUserRegistered");
    assert_eq!(registered["apiKeyId"], secret_id);
    assert_eq!(registered["subject"], "eve");
    assert_eq!(registered["message"], "Created registration token for eve");
    assert_eq!(registered["severity"], "Informational");
    assert_eq!(registered["tenantId"], app.app_id);
    assert!(
        chrono::NaiveDateTime::parse_from_str(
            registered["performedAt"].as_str().unwrap(),
            "%Y-%m-%dT%H:%M:%S%.f"
        )
        .is_ok()
    );
    let completed = by_type("ApiUserSignInCompleted");
    assert_eq!(completed["apiKeyId"], public_id);
    assert_eq!(completed["performedBy"], "eve");
    let toggled = by_type("AdminMagicLinksDisabled");
    assert_eq!(toggled["performedBy"], "ops");
    assert_eq!(toggled["severity"], "Alert");

    // Paging: numberOfResults per page, pageNumber from 1.
    let second = events(&app, "pageNumber=2&numberOfResults=4").await;
    assert_eq!(types(&second), expected[4..8]);
    assert_eq!(second["totalEventCount"], expected.len());
    let beyond = events(&app, "pagenumber=9&numberofresults=4").await;
    assert!(types(&beyond).is_empty());

    for (query, status_title) in [
        ("", Some("Required parameter \"int pageNumber\" was not provided from query string.")),
        ("pageNumber=abc", Some("Failed to bind parameter \"int pageNumber\" from \"abc\".")),
        ("pageNumber=0", None),
        ("pageNumber=1&numberOfResults=1001", None),
        ("pageNumber=1&numberOfResults=0", None),
    ] {
        let reply = app.secret_get(&format!("/events?{query}")).await;
        let problem = reply.problem(400, None);
        match status_title {
            Some(title) => assert_eq!(problem["title"], title, "{query}"),
            None => assert!(problem["errors"].is_object(), "{query}: {}", reply.text),
        }
    }
}

#[tokio::test]
async fn ceremony_events_carry_what_analytics_needs() {
    on_both_stores(ceremony_events_carry_what_analytics_needs_on).await;
}

async fn ceremony_events_carry_what_analytics_needs_on(app: TestApp) {
    let mut passkey = SoftPasskey::new();
    app.register(&mut passkey, "ana", json!({})).await;
    let done = app.signin(&mut passkey, json!({"userId": "ana", "purpose": "step-up"})).await;
    done.ok();
    // A failed sign-in: a tampered signature.
    passkey.tamper_signature = true;
    let begin = app.signin_begin(json!({})).await;
    let assertion = passkey.get(&begin.ok()["data"], ORIGIN);
    app.signin_complete(begin.body["session"].as_str().unwrap(), assertion)
        .await
        .problem(400, Some("signin_complete_error"));

    let since = Utc::now() - Duration::hours(1);
    let stored = app.service.store.list_events(&app.app_id, since, 0, 100).await.unwrap();
    let facts: Vec<_> =
        stored.iter().filter_map(|e| e.ceremony.clone().map(|f| (e.kind.name(), f))).collect();
    let stages: Vec<(Option<Ceremony>, Option<Stage>)> =
        facts.iter().map(|(_, f)| (f.ceremony, f.stage)).collect();
    assert_eq!(
        stages,
        [
            (Some(Ceremony::Signin), Some(Stage::Fail)),
            (Some(Ceremony::Signin), Some(Stage::Begin)),
            (Some(Ceremony::Signin), Some(Stage::Complete)),
            (Some(Ceremony::Signin), Some(Stage::Begin)),
            (Some(Ceremony::Register), Some(Stage::Complete)),
            (Some(Ceremony::Register), Some(Stage::Begin)),
        ]
    );
    // Each begin and its end share a ceremony id, distinct per ceremony.
    let ids: Vec<&str> = facts.iter().map(|(_, f)| f.ceremony_id.as_str()).collect();
    assert!(ids.iter().all(|id| id.len() == 16), "{ids:?}");
    assert_eq!((ids[0], ids[2], ids[4]), (ids[1], ids[3], ids[5]));
    assert!(ids[0] != ids[2] && ids[2] != ids[4]);
    let (_, fail) = &facts[0];
    assert_eq!(fail.error_code.as_deref(), Some("signin_complete_error"));
    let (_, signin) = &facts[2];
    assert_eq!(signin.purpose.as_deref(), Some("step-up"));
    assert_eq!(signin.aaguid.as_deref(), Some("00000000-0000-0000-0000-000000000000"));
    assert_eq!((signin.backup_eligible, signin.backup_state), (Some(false), Some(false)));
    assert!(signin.duration_ms.is_some_and(|d| (0..10_000).contains(&d)));
    let (_, registered) = &facts[4];
    assert!(registered.duration_ms.is_some());
    assert!(registered.aaguid.is_some());
    for (kind, f) in &facts {
        assert!(f.user_agent.contains("Chrome/"), "{kind}: the browser's User-Agent: {f:?}");
    }
}

#[tokio::test]
async fn retention_limits_what_is_listed_and_kept() {
    on_both_stores(retention_limits_what_is_listed_and_kept_on).await;
}

async fn retention_limits_what_is_listed_and_kept_on(app: TestApp) {
    app.secret_post("/alias", json!({"userId": "old", "aliases": ["o@x"]})).await;
    app.secret_post("/apps/features", json!({"eventLoggingRetentionPeriod": 1})).await;
    app.clock.advance(Duration::days(2));
    app.secret_post("/alias", json!({"userId": "new", "aliases": ["n@x"]})).await;
    let page = events(&app, "pageNumber=1").await;
    assert_eq!(types(&page), ["ApiUserSetAliases"], "only what is within one day");
    assert_eq!(page["totalEventCount"], 1);
    // The SQLite host deletes what is past retention; DynamoDB's TTL does (after 400 days).
    let purged = app.service.store.purge_events(app.service.clock.now()).await.unwrap();
    match app.backend {
        crate::harness::Backend::Sqlite => assert_eq!(purged, 1),
        crate::harness::Backend::Dynamo => assert_eq!(purged, 0),
    }
}

#[tokio::test]
async fn refused_keys_are_logged_within_bounds() {
    on_both_stores(refused_keys_are_logged_within_bounds_on).await;
}

async fn refused_keys_are_logged_within_bounds_on(app: TestApp) {
    let wrong = format!("{}:secret:{}", app.app_id, "0".repeat(32));
    for _ in 0..12 {
        app.get_raw("/users/count", &[("ApiSecret", wrong.as_str())]).await.problem(401, None);
    }
    // An app that does not exist gets nothing.
    let stranger = format!("nosuchapp:secret:{}", "0".repeat(32));
    app.get_raw("/users/count", &[("ApiSecret", stranger.as_str())]).await.problem(401, None);
    assert!(
        app.service
            .store
            .list_events("nosuchapp", Utc::now() - Duration::hours(1), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );

    let key_id = &app.key[app.key.len() - 4..];
    assert!(
        app.service.store.set_api_key_locked(&app.app_id, key_id, true, Utc::now()).await.unwrap()
    );
    app.signin_begin(json!({})).await.problem(403, Some("api_key_locked"));

    let page = events(&app, "pageNumber=1&numberOfResults=100").await;
    let kinds = types(&page);
    let invalid = kinds.iter().filter(|k| *k == "ApiAuthInvalidSecretKeyUsed").count();
    assert_eq!(invalid, 10, "at most 10 a minute per app: {kinds:?}");
    let disabled = page["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["eventType"] == "ApiAuthDisabledPublicKeyUsed");
    let disabled = disabled.expect("a locked key's use is logged");
    assert_eq!(disabled["apiKeyId"], key_id);
    assert_eq!(disabled["severity"], "Alert");
}
