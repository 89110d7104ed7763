//! Isolation, table-driven from the route table: an admin of organization A calls every admin
//! route on organization B's app and gets 404 `app_not_found`, on both stores. A new admin
//! route must either take `{appId}` (and so is covered here) or be listed below as being about
//! the caller's own organization — otherwise this test fails.

use crate::admin_client::{call, sign_up};
use crate::harness::{TestApp, on_both_stores};
use ferrokey_http::routes::Access;
use serde_json::json;

/// Admin routes without an app in their path, and why each cannot reach another
/// organization: they act on the caller's own session, organization or app list.
const ORG_ROUTES: &[(&str, &str)] = &[
    ("GET", "/admin/session"),
    ("DELETE", "/admin/session"),
    ("POST", "/admin/session/register-token"),
    ("POST", "/admin/org/invites"),
    ("GET", "/admin/org/admins"),
    ("DELETE", "/admin/org/admins/{adminId}"),
    ("GET", "/admin/apps"),
    ("GET", "/apps/list-pending-deletion"),
];

#[tokio::test]
async fn an_admin_reaches_no_app_of_another_organization() {
    on_both_stores(isolation_on).await;
}

async fn isolation_on(app: TestApp) {
    let a = sign_up(&app, "ann@a.example", "orga").await;
    let b = sign_up(&app, "bob@b.example", "orgb").await;
    let created = call(&app, "POST", "/admin/apps/bapp/create", b.auth(), Some(json!({}))).await;
    let secret = created.ok()["apiSecret1"].as_str().unwrap().to_string();
    let key_id = &secret[secret.len() - 4..];
    // B's app has a user, so every per-user route has something it could reach.
    let user = app
        .post_raw(
            "/alias",
            &[("ApiSecret", secret.as_str()), ("Content-Type", "application/json")],
            json!({"userId": "alice", "aliases": ["alice@b"], "hashing": false})
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(user.status, 204, "{}", user.text);

    let mut covered = 0;
    for route in ferrokey_http::routes().iter().filter(|r| r.access == Access::Admin) {
        let method = route.method.as_str();
        if !route.path.contains("{appId}") {
            assert!(
                ORG_ROUTES.contains(&(method, route.path)),
                "{method} {} takes no app: add an isolation case for it",
                route.path
            );
            continue;
        }
        let path = route
            .path
            .replace("{appId}", "bapp")
            .replace("{id}", key_id)
            .replace("{userId}", "alice")
            .replace("{credentialId}", "AAAA")
            .replace("{purpose}", "sign-in");
        let body = (method == "POST").then(|| json!({"scopes": [0], "adminEmail": "x@y.z"}));
        // `available` and `create` answer for ids, not for apps one owns.
        if route.path.ends_with("/available") {
            let reply = call(&app, method, &path, a.auth(), None).await;
            assert_eq!(reply.ok()["available"], false, "a taken id is taken for everyone");
            continue;
        }
        if route.path.ends_with("/create") {
            call(&app, method, &path, a.auth(), body).await.problem(409, Some("app_exists"));
            continue;
        }
        let reply = call(&app, method, &path, a.auth(), body.clone()).await;
        reply.problem(404, Some("app_not_found"));
        assert_eq!(reply.body["title"], "The app was not found.", "{method} {path}");
        // The same route on an app that does not exist answers exactly alike.
        let missing = call(&app, method, &path.replace("bapp", "nosuchapp"), a.auth(), body).await;
        assert_eq!(missing.body["title"], reply.body["title"], "{method} {path}");
        covered += 1;
    }
    assert!(covered >= 25, "only {covered} app routes were checked");
    // Nothing of B is listed for A, and B's app still has its user and keys.
    assert_eq!(call(&app, "GET", "/admin/apps", a.auth(), None).await.ok(), &json!([]));
    let listed = call(&app, "GET", "/admin/apps", b.auth(), None).await;
    assert_eq!(listed.ok()[0]["appId"], "bapp");
    let users = call(&app, "GET", "/admin/apps/bapp/users", b.auth(), None).await;
    assert_eq!(users.ok()["users"][0]["userId"], "alice");
    let keys = call(&app, "GET", "/admin/apps/bapp/api-keys", b.auth(), None).await;
    assert_eq!(keys.ok().as_array().unwrap().len(), 4);
    assert!(keys.body.as_array().unwrap().iter().all(|k| k["isLocked"] == false));
    // The console app itself is not an organization's app.
    call(&app, "GET", "/admin/apps/console/users", a.auth(), None)
        .await
        .problem(404, Some("app_not_found"));
}
