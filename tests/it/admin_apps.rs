//! Apps and their keys through the admin API, over HTTP on both stores: the key lifecycle
//! end to end (create, list masked, reveal for 7 days, lock → refused everywhere, unlock,
//! delete only when locked), and the deletion flow with the clock (immediate when young,
//! scheduled with keys locked, cancel, delete when due — and the data is gone).

use crate::admin_client::{Admin, call, sign_up};
use crate::authenticator::SoftPasskey;
use crate::harness::{TestApp, on_both_stores};
use chrono::Duration;
use serde_json::{Value, json};

async fn create(app: &TestApp, admin: &Admin, app_id: &str) -> Value {
    let created =
        call(app, "POST", &format!("/admin/apps/{app_id}/create"), admin.auth(), Some(json!({})))
            .await;
    created.ok().clone()
}

#[tokio::test]
async fn the_key_lifecycle_holds_end_to_end() {
    on_both_stores(keys_on).await;
}

async fn keys_on(app: TestApp) {
    let mut ann = sign_up(&app, "ann@example.com", "acme").await;
    let available = call(&app, "GET", "/admin/apps/shop/available", ann.auth(), None).await;
    assert_eq!(available.ok()["available"], true);
    call(&app, "GET", "/admin/apps/Shop!/available", ann.auth(), None).await.problem(400, None);
    let keys = create(&app, &ann, "shop").await;
    assert_eq!(keys["message"], "Store keys safely. They will only be shown to you once.");
    assert_eq!(
        call(&app, "GET", "/admin/apps/shop/available", ann.auth(), None).await.ok()["available"],
        false
    );
    call(&app, "POST", "/admin/apps/shop/create", ann.auth(), Some(json!({})))
        .await
        .problem(409, Some("app_exists"));
    call(&app, "POST", "/admin/apps/console/create", ann.auth(), Some(json!({})))
        .await
        .problem(409, Some("app_exists"));
    let secret = keys["apiSecret1"].as_str().unwrap().to_string();
    let public = keys["apiKey1"].as_str().unwrap().to_string();
    let shop = app.with_keys("shop", &public, &secret);
    shop.register_token("alice", json!({})).await;

    // Listed: public keys in full, secrets masked to 32 characters after the prefix.
    let listed = call(&app, "GET", "/admin/apps/shop/api-keys", ann.auth(), None).await;
    let listed = listed.ok().as_array().unwrap().clone();
    assert_eq!(listed.len(), 4);
    let secret_id = &secret[secret.len() - 4..];
    let row = listed.iter().find(|k| k["id"] == secret_id).unwrap();
    assert_eq!(row["type"], 2);
    assert_eq!(row["apiKey"], format!("shop:secret:{}{secret_id}", "*".repeat(28)));
    assert_eq!(row["scopes"], json!(["token_register", "token_verify"]));
    assert!(!listed.iter().any(|k| k.to_string().contains(&secret)), "no secret in the list");
    assert!(listed.iter().any(|k| k["apiKey"] == public.as_str() && k["type"] == 1));

    // New keys: at least one scope, of the right kind.
    let scopes = |s: Value| Some(json!({"scopes": s}));
    call(&app, "POST", "/admin/apps/shop/secret-keys", ann.auth(), scopes(json!([])))
        .await
        .problem(400, Some("create_api_key_scopes_required"));
    call(&app, "POST", "/admin/apps/shop/secret-keys", ann.auth(), scopes(json!([7])))
        .await
        .problem(400, None);
    call(&app, "POST", "/admin/apps/shop/public-keys", ann.auth(), scopes(json!(["token_verify"])))
        .await
        .problem(400, None);
    let verify_only =
        call(&app, "POST", "/admin/apps/shop/secret-keys", ann.auth(), scopes(json!([1]))).await;
    let verify_only = verify_only.ok()["apiKey"].as_str().unwrap().to_string();
    let limited = app.with_keys("shop", &public, &verify_only);
    let refused =
        limited.secret_post("/register/token", json!({"userId": "u", "username": "u"})).await;
    assert_eq!(refused.status, 403, "a token_verify key cannot register: {}", refused.text);

    // Reveal: the full key for 7 days after creation, then 410.
    let path = format!("/admin/apps/shop/api-keys/{secret_id}/reveal");
    assert_eq!(call(&app, "GET", &path, ann.auth(), None).await.ok()["apiKey"], secret.as_str());
    call(&app, "GET", "/admin/apps/shop/api-keys/zzzz/reveal", ann.auth(), None)
        .await
        .problem(404, Some("api_key_not_found"));

    // Lock: the key is refused at once on every route of its kind; unlock: it works again.
    let lock = format!("/admin/apps/shop/api-keys/{secret_id}/lock");
    assert_eq!(call(&app, "POST", &lock, ann.auth(), None).await.status, 204);
    shop.secret_post("/register/token", json!({"userId": "a", "username": "a"}))
        .await
        .problem(403, Some("api_key_locked"));
    shop.secret_get("/users/count").await.problem(403, Some("api_key_locked"));
    shop.verify("verify_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await
        .problem(403, Some("api_key_locked"));
    let row = call(&app, "GET", "/admin/apps/shop/api-keys", ann.auth(), None).await;
    let row = row.ok().as_array().unwrap().iter().find(|k| k["id"] == secret_id).unwrap().clone();
    assert_eq!(row["isLocked"], true);
    assert!(row["lastLockedAt"].is_string());
    let unlock = format!("/admin/apps/shop/api-keys/{secret_id}/unlock");
    assert_eq!(call(&app, "POST", &unlock, ann.auth(), None).await.status, 204);
    shop.register_token("bob", json!({})).await;
    call(&app, "POST", "/admin/apps/shop/api-keys/zzzz/lock", ann.auth(), None)
        .await
        .problem(404, Some("api_key_not_found"));
    // A locked public key: the browser's calls are refused.
    let public_id = &public[public.len() - 4..];
    call(&app, "POST", &format!("/admin/apps/shop/api-keys/{public_id}/lock"), ann.auth(), None)
        .await;
    shop.signin_begin(json!({"userId": "alice"})).await.problem(403, Some("api_key_locked"));

    // Delete: refused while unlocked, then gone for good.
    let delete = format!("/admin/apps/shop/api-keys/{secret_id}");
    call(&app, "DELETE", &delete, ann.auth(), None).await.problem(409, Some("api_key_not_locked"));
    call(&app, "POST", &lock, ann.auth(), None).await;
    assert_eq!(call(&app, "DELETE", &delete, ann.auth(), None).await.status, 204);
    assert_eq!(shop.secret_get("/users/count").await.status, 401, "a deleted key is unknown");
    call(&app, "DELETE", &delete, ann.auth(), None).await.problem(404, Some("api_key_not_found"));
    call(&app, "GET", &path, ann.auth(), None).await.problem(404, Some("api_key_not_found"));

    // Past 7 days no key can be revealed, though it still works.
    let other_secret = keys["apiSecret2"].as_str().unwrap();
    let other_path =
        format!("/admin/apps/shop/api-keys/{}/reveal", &other_secret[other_secret.len() - 4..]);
    app.clock.advance(Duration::days(7) - Duration::minutes(1));
    ann.sign_in_again(&app).await;
    assert_eq!(call(&app, "GET", &other_path, ann.auth(), None).await.ok()["apiKey"], other_secret);
    app.clock.advance(Duration::minutes(2));
    ann.sign_in_again(&app).await;
    call(&app, "GET", &other_path, ann.auth(), None)
        .await
        .problem(410, Some("api_key_no_longer_viewable"));
    let listed = call(&app, "GET", "/admin/apps/shop/api-keys", ann.auth(), None).await;
    assert!(listed.ok().as_array().unwrap().iter().all(|k| k["viewableUntil"].is_null()));
    app.with_keys("shop", &public, other_secret).secret_get("/users/count").await.ok();
    // Every key action is in the app's log with who did it.
    let events = call(&app, "GET", "/admin/apps/shop/events?limit=200", ann.auth(), None).await;
    let events = events.ok()["events"].as_array().unwrap().clone();
    for kind in [
        "AdminApiKeyLocked",
        "AdminApiKeyUnlocked",
        "AdminApiKeyDeleted",
        "AdminApiKeyCreated",
        "AdminApiKeysEnumerated",
        "ApiManagementAppCreated",
    ] {
        let found =
            events.iter().find(|e| e["eventType"] == kind).unwrap_or_else(|| panic!("{kind}"));
        assert_eq!(found["performedBy"], "ann@example.com", "{kind}");
    }
    // Paging: a page that ends exactly at the log's end has no next cursor.
    let n = events.len();
    let all =
        call(&app, "GET", &format!("/admin/apps/shop/events?limit={n}"), ann.auth(), None).await;
    assert!(all.ok()["nextCursor"].is_null(), "{}", all.text);
    let first = call(&app, "GET", "/admin/apps/shop/events?limit=1", ann.auth(), None).await;
    let cursor = first.ok()["nextCursor"].as_str().unwrap().to_string();
    let path = format!("/admin/apps/shop/events?limit=1&cursor={cursor}");
    let second = call(&app, "GET", &path, ann.auth(), None).await;
    assert_eq!(second.ok()["events"][0], all.body["events"][1]);
    let only =
        call(&app, "GET", "/admin/apps/shop/events?type=AdminApiKeyLocked", ann.auth(), None).await;
    assert!(
        only.ok()["events"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["eventType"] == "AdminApiKeyLocked")
    );
}

#[tokio::test]
async fn apps_are_deleted_at_once_when_young_else_scheduled_cancellable_and_carried_out() {
    on_both_stores(deletion_on).await;
}

async fn deletion_on(app: TestApp) {
    let mut ann = sign_up(&app, "ann@example.com", "acme").await;
    // A young app goes at once.
    create(&app, &ann, "young").await;
    let can = call(&app, "GET", "/admin/apps/young/can-delete-immediately", ann.auth(), None).await;
    assert_eq!(can.ok(), &json!(true));
    let gone =
        call(&app, "POST", "/admin/apps/young/mark-delete", ann.auth(), Some(json!({}))).await;
    assert_eq!(gone.ok()["isDeleted"], true);
    assert!(app.service.store.get_app("young").await.unwrap().is_none());
    call(&app, "GET", "/admin/apps/young/features", ann.auth(), None)
        .await
        .problem(404, Some("app_not_found"));

    // An app older than 3 days with a user is scheduled a month out, its keys locked.
    let keys = create(&app, &ann, "shop").await;
    let shop = app.with_keys(
        "shop",
        keys["apiKey1"].as_str().unwrap(),
        keys["apiSecret1"].as_str().unwrap(),
    );
    let mut passkey = SoftPasskey::new();
    shop.register(&mut passkey, "alice", json!({"aliases": ["alice@shop"]})).await;
    app.clock.advance(Duration::days(4));
    ann.sign_in_again(&app).await;
    let can = call(&app, "GET", "/admin/apps/shop/can-delete-immediately", ann.auth(), None).await;
    assert_eq!(can.ok(), &json!(false));
    // A key the admin locked on purpose before the deletion was scheduled.
    let spare = keys["apiSecret2"].as_str().unwrap().to_string();
    let spare_id = spare[spare.len() - 4..].to_string();
    let lock = format!("/admin/apps/shop/api-keys/{spare_id}/lock");
    assert_eq!(call(&app, "POST", &lock, ann.auth(), None).await.status, 204);
    let marked = call(
        &app,
        "POST",
        "/admin/apps/shop/mark-delete",
        ann.auth(),
        Some(json!({"deletedBy": "ann"})),
    )
    .await;
    let marked = marked.ok().clone();
    assert_eq!(marked["isDeleted"], false);
    assert_eq!(marked["adminEmails"], json!(["ann@example.com"]));
    let delete_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(marked["deleteAt"].clone()).unwrap();
    let days = (delete_at - app.clock_now()).num_days();
    assert!((28..=31).contains(&days), "a month out: {days} days");
    shop.secret_get("/users/count").await.problem(403, Some("api_key_locked"));
    call(&app, "POST", "/admin/apps/shop/mark-delete", ann.auth(), Some(json!({})))
        .await
        .problem(400, Some("app_pending_deletion"));
    let listed = call(&app, "GET", "/admin/apps", ann.auth(), None).await;
    assert_eq!(listed.ok()[0]["deleteAt"], marked["deleteAt"]);
    assert_eq!(listed.body[0]["usersWithPasskeys"], 1);

    // Cancelling unlocks the keys.
    let cancelled = call(&app, "POST", "/admin/apps/shop/cancel-delete", ann.auth(), None).await;
    assert_eq!(
        cancelled.ok()["message"],
        "Your account will not be deleted since the process was aborted with the cancellation link"
    );
    shop.secret_get("/users/count").await.ok();
    // … except the key that was locked before: it stays locked.
    let spare_client = app.with_keys("shop", "", &spare);
    spare_client.secret_get("/users/count").await.problem(403, Some("api_key_locked"));
    // Admins may keep the 365-day retention a new app gets (the backend's own bound is 90).
    let settings = call(
        &app,
        "POST",
        "/admin/apps/shop/settings",
        ann.auth(),
        Some(json!({"eventLoggingRetentionPeriod": 365})),
    )
    .await;
    assert_eq!(settings.ok()["eventLoggingRetentionPeriod"], 365);
    call(
        &app,
        "POST",
        "/admin/apps/shop/settings",
        ann.auth(),
        Some(json!({"eventLoggingRetentionPeriod": 366})),
    )
    .await
    .problem(400, None);
    call(&app, "POST", "/admin/apps/shop/cancel-delete", ann.auth(), None)
        .await
        .problem(400, Some("app_not_pending_deletion"));
    call(&app, "DELETE", "/admin/apps/shop", ann.auth(), None)
        .await
        .problem(400, Some("app_not_pending_deletion"));

    // Scheduled again: not before it is due; then every piece of the app is gone.
    call(&app, "POST", "/admin/apps/shop/mark-delete", ann.auth(), Some(json!({}))).await.ok();
    call(&app, "DELETE", "/admin/apps/shop", ann.auth(), None)
        .await
        .problem(400, Some("app_not_pending_deletion"));
    assert_eq!(
        call(&app, "GET", "/apps/list-pending-deletion", ann.auth(), None).await.ok(),
        &json!([])
    );
    app.clock.advance(Duration::days(32));
    ann.sign_in_again(&app).await;
    assert_eq!(
        call(&app, "GET", "/apps/list-pending-deletion", ann.auth(), None).await.ok(),
        &json!(["shop"])
    );
    assert_eq!(call(&app, "DELETE", "/admin/apps/shop", ann.auth(), None).await.status, 204);
    let store = &app.service.store;
    assert!(store.get_app("shop").await.unwrap().is_none());
    assert!(store.list_api_keys("shop").await.unwrap().is_empty());
    assert!(store.list_credentials("shop", "alice").await.unwrap().is_empty());
    assert!(store.list_aliases("shop", "alice").await.unwrap().is_empty());
    assert!(
        store
            .list_events("shop", app.clock_now() - Duration::days(400), 0, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(shop.secret_get("/users/count").await.status, 401);
    assert_eq!(
        call(&app, "GET", "/admin/apps/shop/available", ann.auth(), None).await.ok()["available"],
        false
    );
    assert_eq!(call(&app, "GET", "/admin/apps", ann.auth(), None).await.ok(), &json!([]));
}

#[tokio::test]
async fn the_sweep_deletes_apps_whose_deletion_fell_due() {
    on_both_stores(sweep_on).await;
}

async fn sweep_on(app: TestApp) {
    let mut ann = sign_up(&app, "ann@example.com", "acme").await;
    for id in ["due", "later"] {
        let keys = create(&app, &ann, id).await;
        let client = app.with_keys(
            id,
            keys["apiKey1"].as_str().unwrap(),
            keys["apiSecret1"].as_str().unwrap(),
        );
        client.register(&mut SoftPasskey::new(), "u", json!({})).await;
    }
    app.clock.advance(Duration::days(4));
    ann.sign_in_again(&app).await;
    call(&app, "POST", "/admin/apps/due/mark-delete", ann.auth(), Some(json!({}))).await.ok();
    app.clock.advance(Duration::days(20));
    ann.sign_in_again(&app).await;
    call(&app, "POST", "/admin/apps/later/mark-delete", ann.auth(), Some(json!({}))).await.ok();
    app.clock.advance(Duration::days(12));
    ann.sign_in_again(&app).await;
    let swept = ferrokey_core::ops::admin::deletion::delete_due(&app.service).await.unwrap();
    assert_eq!(swept, 1);
    assert!(app.service.store.get_app("due").await.unwrap().is_none());
    assert!(app.service.store.get_app("later").await.unwrap().is_some());
}
