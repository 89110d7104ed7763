//! Each Lambda binary, run as a real process against a minimal Lambda Runtime API emulator,
//! answers API Gateway HTTP API (v2) events; together they complete a whole passkey ceremony on
//! DynamoDB (moto).

use crate::authenticator::SoftPasskey;
use crate::harness::{MANAGEMENT_KEY, ORIGIN, RP_ID, TEST_PEPPER, dynamo_service};
use crate::lambda_runtime::Function;
use ferrokey_core::clock::OffsetClock;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;

fn binary(name: &str) -> std::path::PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug").join(name)
}

/// The status and JSON body of an API Gateway v2 response.
fn http(answer: &Value) -> (u64, Value) {
    let status =
        answer["statusCode"].as_u64().unwrap_or_else(|| panic!("not an HTTP answer: {answer}"));
    let body = answer["body"]
        .as_str()
        .map(|b| serde_json::from_str(b).unwrap_or(json!(b)))
        .unwrap_or(Value::Null);
    (status, body)
}

#[tokio::test]
async fn every_function_answers_api_gateway_events_and_they_complete_a_ceremony() {
    let endpoint = crate::moto::shared();
    let dynamo = dynamo_service(endpoint, Arc::new(OffsetClock::default())).await;
    let keys = dynamo.service.create_app("lambdaapp").await.unwrap();
    let env = [
        ("FERROKEY_TABLE", dynamo.table.clone()),
        ("FERROKEY_PEPPER", TEST_PEPPER.to_string()),
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
    ];
    let mut f = HashMap::new();
    for name in [
        "health-http",
        "register-token",
        "register-begin",
        "register-complete",
        "signin-begin",
        "signin-complete",
        "signin-verify",
    ] {
        f.insert(name, Function::start(&binary(name), name, &env).await);
    }
    let mut call =
        async |name: &str, method: &str, path: &str, headers: Value, body: Option<Value>| {
            http(&f.get_mut(name).unwrap().invoke(method, path, headers, body).await)
        };
    let secret = json!({"content-type": "application/json", "apisecret": keys.api_secret});
    let public = json!({"content-type": "application/json", "apikey": keys.api_key});

    let (status, body) = call("health-http", "GET", "/health/http", json!({}), None).await;
    assert_eq!((status, body), (200, json!("Healthy")));
    // A function serves only its own route.
    let (status, _) =
        call("health-http", "POST", "/register/token", secret.clone(), Some(json!({}))).await;
    assert_eq!(status, 404);

    let (status, token) = call(
        "register-token",
        "POST",
        "/register/token",
        secret.clone(),
        Some(json!({"userId": "u1", "username": "u1"})),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    let (status, begin) = call(
        "register-begin",
        "POST",
        "/register/begin",
        public.clone(),
        Some(json!({"token": token["token"], "RPID": RP_ID, "Origin": ORIGIN})),
    )
    .await;
    assert_eq!(status, 200, "{begin}");
    let mut passkey = SoftPasskey::new();
    let response = passkey.create(&begin["data"], ORIGIN);
    let (status, done) = call("register-complete", "POST", "/register/complete", public.clone(), Some(json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN}))).await;
    assert_eq!(status, 200, "{done}");

    let (status, begin) = call(
        "signin-begin",
        "POST",
        "/signin/begin",
        public.clone(),
        Some(json!({"userId": "u1", "RPID": RP_ID, "Origin": ORIGIN})),
    )
    .await;
    assert_eq!(status, 200, "{begin}");
    let response = passkey.get(&begin["data"], ORIGIN);
    let (status, done) = call("signin-complete", "POST", "/signin/complete", public.clone(), Some(json!({"session": begin["session"], "response": response, "RPID": RP_ID, "Origin": ORIGIN}))).await;
    assert_eq!(status, 200, "{done}");
    let (status, verified) = call(
        "signin-verify",
        "POST",
        "/signin/verify",
        secret.clone(),
        Some(json!({"token": done["token"]})),
    )
    .await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["userId"], "u1");
    assert_eq!(verified["type"], "passkey_signin");
    // Errors keep their problem+json shape through API Gateway.
    let (status, problem) = call(
        "signin-verify",
        "POST",
        "/signin/verify",
        secret,
        Some(json!({"token": done["token"]})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(problem["errorCode"], "invalid_token");
}

/// Every function binary of the route table starts on the AWS adapters and answers each of its
/// rows (a key-protected row with a valid key and an empty request: a 2xx or a 4xx problem,
/// never its own 404), and the scheduled report job runs.
#[tokio::test]
async fn every_route_table_function_serves_its_own_rows() {
    let endpoint = crate::moto::shared();
    let dynamo = dynamo_service(endpoint, Arc::new(OffsetClock::default())).await;
    let keys = dynamo.service.create_app("lambdarows").await.unwrap();
    let env = [
        ("FERROKEY_TABLE", dynamo.table.clone()),
        ("FERROKEY_PEPPER", TEST_PEPPER.to_string()),
        ("AWS_ENDPOINT_URL", endpoint.to_string()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
        ("FERROKEY_MANAGEMENT_KEY", MANAGEMENT_KEY.to_string()),
    ];
    let routes = ferrokey_http::routes();
    let mut names: Vec<&str> = routes.iter().map(|r| r.lambda).collect();
    names.sort();
    names.dedup();
    for name in names {
        let mut function = Function::start(&binary(name), name, &env).await;
        for route in routes.iter().filter(|r| r.lambda == name) {
            let headers = match route.access.key() {
                _ if route.access == ferrokey_http::routes::Access::Admin => {
                    json!({"content-type": "application/json", "managementkey": MANAGEMENT_KEY})
                }
                Some((ferrokey_core::error::KeyHeader::ApiKey, _)) => {
                    json!({"content-type": "application/json", "apikey": keys.api_key})
                }
                Some(_) => {
                    json!({"content-type": "application/json", "apisecret": keys.api_secret})
                }
                None => json!({}),
            };
            let method = route.method.as_str();
            let body = (method == "POST").then(|| json!({}));
            let answer = function.invoke(method, route.path, headers, body).await;
            let (status, body) = http(&answer);
            let label = format!("{name}: {method} {}", route.path);
            if route.path == "/health/throw/exception" {
                assert_eq!(status, 500, "{label}");
                continue;
            }
            assert!(status < 500 || route.path == "/health/mail", "{label} → {status} {body}");
            assert_ne!(body["errorCode"], "not_found", "{label} is not served by its function");
            assert_ne!(status, 401, "{label}: the key was refused: {body}");
        }
    }
    // The scheduled job: any event starts it; it stores today's snapshot of every app.
    let mut job = Function::start(&binary("reports-snapshot"), "reports-snapshot", &env).await;
    let answer = job.invoke("POST", "/", json!({}), None).await;
    // The app, and the console app the admin functions created on first use.
    assert_eq!(answer["stored"], 2, "{answer}");
    // The daily sweep of apps whose deletion fell due: none is due.
    let mut sweep = Function::start(&binary("apps-delete-due"), "apps-delete-due", &env).await;
    let answer = sweep.invoke("POST", "/", json!({}), None).await;
    assert_eq!(answer["deleted"], 0, "{answer}");
}
