//! Each Lambda binary, run as a real process against a minimal Lambda Runtime API emulator,
//! answers API Gateway HTTP API (v2) events; together they complete a whole passkey ceremony on
//! DynamoDB (moto).

use crate::authenticator::SoftPasskey;
use crate::harness::{MANAGEMENT_KEY, ORIGIN, RP_ID, TEST_PEPPER, dynamo_service};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use ferrokey_core::clock::OffsetClock;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// The emulator's queues: events waiting for `next`, answers posted back.
#[derive(Default)]
struct Runtime {
    events: Mutex<VecDeque<(String, Value)>>,
    event_ready: Notify,
    answers: Mutex<HashMap<String, Value>>,
    answered: Notify,
}

async fn next(State(rt): State<Arc<Runtime>>) -> (HeaderMap, String) {
    loop {
        let notified = rt.event_ready.notified();
        if let Some((id, event)) = rt.events.lock().unwrap().pop_front() {
            let mut headers = HeaderMap::new();
            headers.insert("lambda-runtime-aws-request-id", id.parse().unwrap());
            let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
            headers.insert("lambda-runtime-deadline-ms", deadline.to_string().parse().unwrap());
            headers.insert(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:test".parse().unwrap(),
            );
            return (headers, event.to_string());
        }
        notified.await;
    }
}

async fn respond(
    State(rt): State<Arc<Runtime>>,
    Path(id): Path<String>,
    body: String,
) -> &'static str {
    let value = serde_json::from_str(&body).unwrap_or(json!({"unparsable": body}));
    rt.answers.lock().unwrap().insert(id, value);
    rt.answered.notify_waiters();
    "{}"
}

async fn error(
    State(rt): State<Arc<Runtime>>,
    Path(id): Path<String>,
    body: String,
) -> &'static str {
    rt.answers.lock().unwrap().insert(id, json!({"runtimeError": body}));
    rt.answered.notify_waiters();
    "{}"
}

async fn init_error(body: String) -> &'static str {
    panic!("function failed to start: {body}");
}

/// One function process attached to its own Runtime API.
struct Function {
    runtime: Arc<Runtime>,
    child: Child,
    next_id: u32,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn binary(name: &str) -> std::path::PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("debug").join(name)
}

impl Function {
    async fn start(name: &str, env: &[(&str, String)]) -> Self {
        let runtime = Arc::new(Runtime::default());
        let app = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(runtime.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut command = Command::new(binary(name));
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let child =
            command.spawn().unwrap_or_else(|e| panic!("start {name} (cargo build first): {e}"));
        Function { runtime, child, next_id: 0 }
    }

    /// Sends an API Gateway HTTP API v2 event; returns the function's JSON answer.
    async fn invoke(
        &mut self,
        method: &str,
        path: &str,
        headers: Value,
        body: Option<Value>,
    ) -> Value {
        self.next_id += 1;
        let id = format!("req-{}", self.next_id);
        let event = json!({
            "version": "2.0",
            "routeKey": format!("{method} {path}"),
            "rawPath": path,
            "rawQueryString": "",
            "headers": headers,
            "requestContext": {
                "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com",
                "domainPrefix": "api", "requestId": id, "routeKey": format!("{method} {path}"),
                "stage": "$default", "time": "28/Nov/2026:05:00:00 +0000", "timeEpoch": 0,
                "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "lambda-test"}
            },
            "body": body.map(|b| b.to_string()),
            "isBase64Encoded": false
        });
        self.runtime.events.lock().unwrap().push_back((id.clone(), event));
        self.runtime.event_ready.notify_waiters();
        let wait = async {
            loop {
                let notified = self.runtime.answered.notified();
                if let Some(answer) = self.runtime.answers.lock().unwrap().remove(&id) {
                    return answer;
                }
                notified.await;
            }
        };
        tokio::time::timeout(Duration::from_secs(30), wait).await.expect("the function answered")
    }
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
        f.insert(name, Function::start(name, &env).await);
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
        let mut function = Function::start(name, &env).await;
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
    let mut job = Function::start("reports-snapshot", &env).await;
    let answer = job.invoke("POST", "/", json!({}), None).await;
    // The app, and the console app the admin functions created on first use.
    assert_eq!(answer["stored"], 2, "{answer}");
    // The daily sweep of apps whose deletion fell due: none is due.
    let mut sweep = Function::start("apps-delete-due", &env).await;
    let answer = sweep.invoke("POST", "/", json!({}), None).await;
    assert_eq!(answer["deleted"], 0, "{answer}");
}
