//! A locked key on DynamoDB with several hosts: the host that locked it refuses it at once;
//! another warm host, which trusts keys it looked up for `FERROKEY_KEY_CACHE_SECONDS`, refuses
//! it once that window has passed — never later.

use crate::admin_client::{call, sign_up};
use crate::harness::{Backend, spawn};
use ferrokey_core::Service;
use ferrokey_http::{AppState, router};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_lock_reaches_other_dynamodb_hosts_within_the_key_cache_window() {
    let app = spawn(Backend::Dynamo, "testapp").await;
    let ann = sign_up(&app, "ann@example.com", "acme").await;
    let keys = call(&app, "POST", "/admin/apps/shop/create", ann.auth(), Some(json!({}))).await;
    let secret = keys.ok()["apiSecret1"].as_str().unwrap().to_string();

    // A second host on the same table, caching keys for one second.
    let store = app.service.store.clone();
    let hasher =
        ferrokey_core::keys::KeyHasher::new(crate::harness::TEST_PEPPER.as_bytes().to_vec());
    let other =
        Service::new(store, app.clock.clone(), hasher).with_key_cache(Duration::from_secs(1));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(AppState::new(other))).await });
    let other_host = app.with_keys("shop", "", &secret);
    let other_host = crate::harness::TestApp { base, ..other_host };

    other_host.secret_get("/users/count").await.ok(); // warms its cache
    let id = &secret[secret.len() - 4..];
    call(&app, "POST", &format!("/admin/apps/shop/api-keys/{id}/lock"), ann.auth(), None).await;
    let here = app.with_keys("shop", "", &secret);
    here.secret_get("/users/count").await.problem(403, Some("api_key_locked"));
    // Within the window the other host may still accept it (its documented bound) …
    let _ = other_host.secret_get("/users/count").await;
    // … and once the window has passed it refuses it.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    other_host.secret_get("/users/count").await.problem(403, Some("api_key_locked"));
}
