//! Hostile bodies, queries and path segments at every admin and console sign-in route, on
//! both stores, with the management key: each answer is a 2xx or a problem+json 4xx, never a
//! 5xx, and no problem echoes unbounded input.

use crate::admin_client::{Auth, call};
use crate::harness::{Backend, TestApp, spawn};
use crate::robustness::{big_values, short, url_encode, values};
use ferrokey_http::routes::Access;
use serde_json::{Value, json};

/// Every member an admin or console body reads.
const FIELDS: [&str; 16] = [
    "code",
    "token",
    "email",
    "scopes",
    "adminEmail",
    "deletedBy",
    "eventLoggingIsEnabled",
    "eventLoggingRetentionPeriod",
    "magicLinkEmailMonthlyQuota",
    "maxUsers",
    "allowAttestation",
    "isGenerateSignInTokenEndpointEnabled",
    "isMagicLinksEnabled",
    "purpose",
    "timeToLive",
    "hints",
];

fn assert_problem(reply: &crate::harness::Reply, what: &str) {
    assert!(reply.status < 500, "{what} → {} {}", reply.status, short(&reply.text));
    if reply.status >= 400 {
        assert_eq!(reply.content_type(), "application/problem+json", "{what}");
        assert!(reply.text.len() < 4096, "{what}: a problem echoes unbounded input");
    }
}

/// Fills a route's path parameters with `segment` (URL-encoded), the app with `app_id`.
fn path(template: &str, app_id: &str, segment: &str) -> String {
    let segment = url_encode(segment);
    let mut out = template.replace("{appId}", app_id);
    for name in ["{id}", "{userId}", "{credentialId}", "{purpose}", "{adminId}"] {
        out = out.replace(name, &segment);
    }
    out
}

async fn hammer(app: &TestApp, values: &[Value], segments: &[String]) {
    let admin_routes = ferrokey_http::routes()
        .into_iter()
        .filter(|r| matches!(r.access, Access::Admin | Access::Console));
    for route in admin_routes {
        let method = route.method.as_str();
        for segment in segments {
            // Hostile ids in the path, and as the app id itself.
            for app_id in [app.app_id.as_str(), segment.as_str()] {
                // Deleting the app under test would leave nothing for the routes after it.
                if route.path.ends_with("/mark-delete") && app_id == app.app_id {
                    continue;
                }
                let p = path(route.path, &url_encode(app_id), segment);
                let body = (method == "POST").then(|| json!({}));
                let reply = call(app, method, &p, Auth::Management, body).await;
                assert_problem(&reply, &format!("{method} {}", short(&p)));
            }
        }
        if method == "POST" && !route.path.ends_with("/mark-delete") {
            for field in FIELDS {
                for value in values {
                    let p = path(route.path, &app.app_id, "x");
                    let reply =
                        call(app, method, &p, Auth::Management, Some(json!({field: value}))).await;
                    assert_problem(
                        &reply,
                        &format!("POST {} {field}={}", route.path, short(&value.to_string())),
                    );
                }
            }
        }
        if method == "GET" {
            for field in ["search", "cursor", "limit", "type"] {
                for value in ["", "-1", "0", "99999999999999999999", &"x".repeat(5000), "\u{0}😀"]
                {
                    let p = format!(
                        "{}?{field}={}",
                        path(route.path, &app.app_id, "x"),
                        url_encode(value)
                    );
                    let reply = call(app, method, &p, Auth::Management, None).await;
                    assert_problem(&reply, &format!("GET {}?{field}", route.path));
                }
            }
        }
    }
}

fn segments() -> Vec<String> {
    vec![
        "".into(),
        "x".repeat(3000),
        "\u{0}\u{ffff}😀".into(),
        "..".into(),
        "%".into(),
        "a/b".into(),
        "AAAA".into(),
    ]
}

#[tokio::test]
async fn no_admin_request_causes_a_server_error() {
    let app = spawn(Backend::Sqlite, "testapp").await;
    let mut all = values();
    all.extend(big_values());
    hammer(&app, &all, &segments()).await;
}

/// The same on DynamoDB with the values that could reach its key and item limits, on a moto
/// of its own.
#[tokio::test]
async fn no_admin_request_causes_a_server_error_on_dynamodb() {
    let app = crate::harness::spawn_on(Backend::Dynamo, "testapp", crate::moto::heavy()).await;
    hammer(&app, &big_values(), &segments()).await;
}
