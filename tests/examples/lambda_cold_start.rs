//! Lambda cold start, run on demand (`bench/lambda.sh`): every function binary is exec'd
//! against a small Lambda Runtime API emulator (the three endpoints a runtime client uses:
//! `invocation/next`, `invocation/{id}/response`, `invocation/{id}/error` and `init/error`),
//! and the time from `exec` to its first answer is taken, median of `RUNS` cold starts.
//!
//! The first invocation is a real request of the function's own first route (an API Gateway
//! HTTP API v2 event) with a well-formed key of an app that does not exist, so the answer
//! (401/404 problem) comes after a real DynamoDB read through moto; scheduled functions get
//! an EventBridge event and run their job on the empty table. Binary sizes are printed too.
//!
//! `cargo run --release -p ferrokey-tests --example lambda_cold_start -- <bin dir> <dynamodb endpoint> <table>`

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

const RUNS: usize = 10;
const SCHEDULED: [&str; 3] = ["apps-delete-due", "analytics-aggregate", "analytics-billing"];

/// What the emulator hands out and what it got back.
#[derive(Default)]
struct Emulator {
    event: Mutex<Option<Value>>,
    answer: Mutex<Option<(Instant, String)>>,
    answered: Notify,
}

async fn next(State(emu): State<Arc<Emulator>>) -> impl IntoResponse {
    let event = emu.event.lock().expect("lock").take();
    match event {
        Some(event) => {
            let mut headers = HeaderMap::new();
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() + 30_000)
                .unwrap_or_default();
            headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_static("req-1"));
            headers.insert(
                "lambda-runtime-deadline-ms",
                HeaderValue::from_str(&deadline.to_string()).expect("header"),
            );
            headers.insert(
                "lambda-runtime-invoked-function-arn",
                HeaderValue::from_static("arn:aws:lambda:eu-west-1:123456789012:function:bench"),
            );
            headers.insert("lambda-runtime-trace-id", HeaderValue::from_static("Root=1-0-0"));
            (StatusCode::OK, headers, event.to_string()).into_response()
        }
        // One invocation per cold start: the second `next` waits until the process is killed.
        None => std::future::pending::<axum::response::Response>().await,
    }
}

async fn answer(State(emu): State<Arc<Emulator>>, kind: &'static str, body: String) -> StatusCode {
    *emu.answer.lock().expect("lock") = Some((Instant::now(), format!("{kind}: {body}")));
    emu.answered.notify_one();
    StatusCode::ACCEPTED
}

fn http_event(method: &str, path: &str) -> Value {
    let path = path.replace("{appId}", "bench").replace("{id}", "x").replace("{userId}", "x");
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {
            "content-type": "application/json",
            "apikey": "bench:public:00000000000000000000000000000000",
            "apisecret": "bench:secret:00000000000000000000000000000000",
            "authorization": "Bearer 00000000000000000000000000000000",
            "user-agent": "cold-start-bench"
        },
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "bench.example",
            "domainPrefix": "bench", "requestId": "req-1", "routeKey": "$default",
            "stage": "$default", "time": "01/Dec/2026:00:00:00 +0000", "timeEpoch": 0,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "cold-start-bench"}
        },
        "body": if method == "GET" || method == "DELETE" { Value::Null } else { json!("{}") },
        "isBase64Encoded": false
    })
}

fn scheduled_event() -> Value {
    json!({"version": "0", "id": "1", "detail-type": "Scheduled Event", "source": "aws.events",
           "account": "123456789012", "time": "2026-12-01T00:00:00Z", "region": "eu-west-1",
           "resources": [], "detail": {}})
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, bins, endpoint, table] = &args[..] else {
        eprintln!("usage: lambda_cold_start <bin dir> <dynamodb endpoint> <table>");
        std::process::exit(2);
    };
    let emu = Arc::new(Emulator::default());
    let app = axum::Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(|s: State<Arc<Emulator>>, _: Path<String>, b: String| answer(s, "response", b)),
        )
        .route(
            "/2018-06-01/runtime/invocation/{id}/error",
            post(|s: State<Arc<Emulator>>, _: Path<String>, b: String| answer(s, "error", b)),
        )
        .route(
            "/2018-06-01/runtime/init/error",
            post(|s: State<Arc<Emulator>>, b: String| answer(s, "init error", b)),
        )
        .with_state(emu.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let api = listener.local_addr().expect("addr").to_string();
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Each function once, in route-table order, with its first route.
    let mut functions: Vec<(String, Value)> = Vec::new();
    for route in ferrokey_http::routes() {
        if !functions.iter().any(|(name, _)| name == route.lambda) {
            functions
                .push((route.lambda.to_string(), http_event(route.method.as_str(), route.path)));
        }
    }
    for name in SCHEDULED {
        functions.push((name.to_string(), scheduled_event()));
    }

    println!(
        "| function | first route | size (stripped) | cold start, median of {RUNS} | min | max | answer |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut medians = Vec::new();
    for (name, event) in &functions {
        let binary = std::path::Path::new(bins).join(name);
        let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
        let mut times = Vec::new();
        let mut last = String::new();
        for _ in 0..RUNS {
            *emu.event.lock().expect("lock") = Some(event.clone());
            *emu.answer.lock().expect("lock") = None;
            let start = Instant::now();
            let mut child = std::process::Command::new(&binary)
                .env_clear()
                .env("AWS_LAMBDA_RUNTIME_API", &api)
                .env("AWS_LAMBDA_FUNCTION_NAME", name)
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512")
                .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
                .env("AWS_REGION", "eu-west-1")
                .env("AWS_ACCESS_KEY_ID", "testing")
                .env("AWS_SECRET_ACCESS_KEY", "testing")
                .env("AWS_ENDPOINT_URL", endpoint)
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("FERROKEY_TABLE", table)
                .env("FERROKEY_PEPPER", "cold-start-bench-pepper-0123456789")
                .env("RUST_LOG", "warn")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("exec the function");
            let waited =
                tokio::time::timeout(Duration::from_secs(10), emu.answered.notified()).await;
            let _ = child.kill();
            let _ = child.wait();
            let Some((at, text)) = emu.answer.lock().expect("lock").take() else {
                panic!("{name} gave no answer in 10 s ({waited:?})");
            };
            times.push(at.duration_since(start));
            last = text;
        }
        times.sort();
        let median = times[RUNS / 2];
        medians.push(median);
        let status = serde_json::from_str::<Value>(last.split_once(": ").map_or("", |p| p.1))
            .ok()
            .and_then(|v| v.get("statusCode").cloned())
            .map_or_else(|| last.chars().take(40).collect::<String>(), |s| s.to_string());
        let route = event["rawPath"].as_str().map_or("(scheduled)".to_string(), |p| {
            format!("{} {p}", event["requestContext"]["http"]["method"].as_str().unwrap_or(""))
        });
        println!(
            "| {name} | {route} | {:.1} MB | {:.1} ms | {:.1} | {:.1} | {status} |",
            size as f64 / 1e6,
            ms(median),
            ms(times[0]),
            ms(times[RUNS - 1])
        );
    }
    medians.sort();
    println!(
        "\n{} functions: median of medians {:.1} ms, slowest median {:.1} ms",
        medians.len(),
        ms(medians[medians.len() / 2]),
        ms(medians[medians.len() - 1])
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
