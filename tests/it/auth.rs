//! API key authentication: the contract's eight 401 details, locked keys, scopes, CORS, 404s.

use crate::harness::{TestApp, on_both_stores, spawn};
use chrono::Utc;
use ferrokey_core::keys::mint_key;
use ferrokey_core::model::{KeyKind, Scope};
use serde_json::json;

async fn call(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> crate::harness::Reply {
    app.post_raw(path, headers, b"{}".to_vec()).await
}

#[track_caller]
fn assert_401(reply: &crate::harness::Reply, header: &str, detail: &str) {
    let body = reply.problem(401, None);
    assert_eq!(body["type"], format!("https://docs.passwordless.dev/guide/errors.html#{header}"));
    assert_eq!(body["title"], format!("A valid '{header}' header is required."));
    assert_eq!(body["detail"], detail);
    assert_eq!(reply.headers["www-authenticate"], header);
}

#[tokio::test]
async fn api_secret_gives_helpful_advice() {
    on_both_stores(api_secret_gives_helpful_advice_on).await;
}

async fn api_secret_gives_helpful_advice_on(app: TestApp) {
    let public = app.key.clone();
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (vec![("ApiSecret", "verify_abc")], "A verify token was supplied instead of your 'ApiSecret'.".into()),
        (vec![("ApiSecret", "register_abc")], "A register token was supplied instead of your 'ApiSecret'.".into()),
        (vec![("ApiSecret", public.as_str())], "Your ApiSecret header contained a public ApiKey instead of your 'ApiSecret'.".into()),
        (vec![("ApiSecret", "somethingelse1234")], "We don't recognize the value you supplied for your 'ApiSecret'. It started with: 'somethinge'.".into()),
        (vec![("ApiSecret", "testapp:secret:00000000000000000000000000000000")], "The value of your 'ApiSecret' is not valid.".into()),
        (vec![("ApiKey", public.as_str())], "A 'ApiKey' header was supplied when a 'ApiSecret' header should have been supplied.".into()),
        (vec![], "A valid 'ApiSecret' header is required.".into()),
        (vec![("ApiSecret", "")], "A valid 'ApiSecret' header is required.".into()),
    ];
    for (headers, detail) in cases {
        assert_401(&call(&app, "/register/token", &headers).await, "ApiSecret", &detail);
    }
    // A real secret with a suffix is simply not valid.
    let wrong = format!("{}invalid", app.secret);
    assert_401(
        &call(&app, "/signin/verify", &[("ApiSecret", &wrong)]).await,
        "ApiSecret",
        "The value of your 'ApiSecret' is not valid.",
    );
}

#[tokio::test]
async fn api_key_gives_helpful_advice() {
    on_both_stores(api_key_gives_helpful_advice_on).await;
}

async fn api_key_gives_helpful_advice_on(app: TestApp) {
    let secret = app.secret.clone();
    let cases: Vec<(Vec<(&str, &str)>, String)> = vec![
        (vec![("ApiKey", "verify_abc")], "A verify token was supplied instead of your 'ApiKey'.".into()),
        (vec![("ApiKey", "register_abc")], "A register token was supplied instead of your 'ApiKey'.".into()),
        (vec![("ApiKey", secret.as_str())], "Your ApiKey header contained a ApiSecret instead of your 'ApiKey'.".into()),
        (vec![("ApiKey", "garbage-value")], "We don't recognize the value you supplied for your 'ApiKey'. It started with: 'garbage-va'.".into()),
        (vec![("ApiKey", "testapp:public:00000000000000000000000000000000")], "The value of your 'ApiKey' is not valid.".into()),
        (vec![("ApiSecret", secret.as_str())], "A 'ApiSecret' header was supplied when a 'ApiKey' header should have been supplied.".into()),
        (vec![], "A valid 'ApiKey' header is required.".into()),
    ];
    for (headers, detail) in cases {
        assert_401(&call(&app, "/signin/begin", &headers).await, "ApiKey", &detail);
    }
    // A key of another app is not valid here either.
    let other = spawn(app.backend, "otherapp").await;
    assert_401(
        &call(&app, "/signin/begin", &[("ApiKey", &other.key)]).await,
        "ApiKey",
        "The value of your 'ApiKey' is not valid.",
    );
}

#[tokio::test]
async fn every_keyed_route_needs_a_key_and_unknown_routes_are_404() {
    on_both_stores(every_keyed_route_needs_a_key_and_unknown_routes_are_404_on).await;
}

async fn every_keyed_route_needs_a_key_and_unknown_routes_are_404_on(app: TestApp) {
    for route in ferrokey_http::routes() {
        let reply = match route.method.as_str() {
            "GET" => app.get_raw(route.path, &[]).await,
            "POST" => app.post_raw(route.path, &[], b"{}".to_vec()).await,
            _ => {
                let url = format!("{}{}", app.base, route.path);
                let method = reqwest::Method::from_bytes(route.method.as_str().as_bytes()).unwrap();
                crate::harness::read(app.http.request(method, url).send().await.unwrap()).await
            }
        };
        match (route.access, route.access.key()) {
            // Admin routes want a session or the management key.
            (ferrokey_http::routes::Access::Admin, _) => {
                assert_eq!(reply.status, 401, "{} {}", route.method, route.path);
                assert_eq!(reply.body["title"], "A valid 'ManagementKey' header is required.");
            }
            (_, None) => assert_ne!(reply.status, 401, "{}", route.path),
            (_, Some(_)) => assert_eq!(reply.status, 401, "{} {}", route.method, route.path),
        }
    }
    let reply = app
        .post_raw("/no/such/route", &[("ApiKey", "garbage"), ("ApiSecret", "garbage")], vec![])
        .await;
    assert_eq!(reply.status, 404);
    let health = app.http.get(format!("{}/health/http", app.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "Healthy");
}

#[tokio::test]
async fn a_locked_key_gets_403() {
    on_both_stores(a_locked_key_gets_403_on).await;
}

async fn a_locked_key_gets_403_on(app: TestApp) {
    let key_id = &app.key[app.key.len() - 4..];
    assert!(
        app.service.store.set_api_key_locked(&app.app_id, key_id, true, Utc::now()).await.unwrap()
    );
    let reply = app.signin_begin(json!({})).await;
    let body = reply.problem(403, Some("api_key_locked"));
    assert_eq!(body["title"], "ApiKey has been locked.");
    app.service.store.set_api_key_locked(&app.app_id, key_id, false, Utc::now()).await.unwrap();
    app.signin_begin(json!({})).await.ok();
}

#[tokio::test]
async fn scopes_are_enforced() {
    on_both_stores(scopes_are_enforced_on).await;
}

async fn scopes_are_enforced_on(app: TestApp) {
    let minted = mint_key(
        &app.service.hasher,
        &app.app_id,
        KeyKind::Public,
        vec![Scope::Login],
        app.service.clock.now(),
    );
    app.service.store.add_api_key(&minted.record).await.unwrap();
    let headers = [("ApiKey", minted.value.as_str())];
    let body =
        json!({"token": "register_x", "RPID": "example.com", "Origin": "https://example.com"});
    let reply = app.post_raw("/register/begin", &headers, body.to_string().into_bytes()).await;
    let problem = reply.problem(403, None);
    assert_eq!(problem["type"], "https://docs.passwordless.dev/guide/errors.html#forbidden");
    assert_eq!(problem["title"], "You are forbidden from accessing this resource.");
    assert_eq!(
        problem["detail"],
        "You are unable to access this resource because you do not have the required permissions. Required scopes: register"
    );
    let body = json!({"RPID": "example.com", "Origin": "https://example.com"});
    let reply = app.post_raw("/signin/begin", &headers, body.to_string().into_bytes()).await;
    reply.ok();
}

#[tokio::test]
async fn cors_preflight_allows_the_browser_client_headers() {
    on_both_stores(cors_preflight_allows_the_browser_client_headers_on).await;
}

async fn cors_preflight_allows_the_browser_client_headers_on(app: TestApp) {
    let reply = app
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/register/begin", app.base))
        .header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "apikey,client-version,content-type")
        .send()
        .await
        .unwrap();
    assert!(reply.status().is_success());
    assert_eq!(reply.headers()["access-control-allow-origin"], "*");
    let allowed =
        reply.headers()["access-control-allow-headers"].to_str().unwrap().to_ascii_lowercase();
    assert!(
        allowed == "*" || (allowed.contains("apikey") && allowed.contains("client-version")),
        "{allowed}"
    );
    // Errors carry CORS headers too, so the JS client can read them.
    let reply = app
        .post_raw("/signin/begin", &[("Origin", "https://app.example.com")], b"{}".to_vec())
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.headers["access-control-allow-origin"], "*");
}
