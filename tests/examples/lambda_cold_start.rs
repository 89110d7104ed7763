//! Lambda cold start, run on demand (`bench/lambda.sh`): every function binary is exec'd
//! against the tests' Lambda Runtime API emulator (`it/lambda_runtime.rs`, the endpoints a runtime
//! client uses),
//! and the time from `exec` to its first answer is taken, median of `RUNS` cold starts.
//!
//! The first invocation is a real request of the function's own first route (an API Gateway
//! HTTP API v2 event) with a well-formed key of an app that does not exist, so the answer
//! (401/404 problem) comes after a real DynamoDB read through moto; scheduled functions get
//! an EventBridge event and run their job on the empty table. Binary sizes are printed too.
//!
//! `cargo run --release -p ferrokey-tests --example lambda_cold_start -- <bin dir> <dynamodb endpoint> <table>`

#[path = "../it/lambda_runtime.rs"]
mod lambda_runtime;

use lambda_runtime::Function;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const RUNS: usize = 10;
const SCHEDULED: [&str; 3] = ["apps-delete-due", "analytics-aggregate", "analytics-billing"];

/// An HTTP request for `Function::invoke`: method, path, headers, body.
type Request = (String, String, Value, Option<Value>);

/// A request of a function's first route, with a well-formed key of no app.
fn request(method: &str, path: &str) -> Request {
    let path = path.replace("{appId}", "bench").replace("{id}", "x").replace("{userId}", "x");
    let headers = json!({
        "content-type": "application/json",
        "apikey": "bench:public:00000000000000000000000000000000",
        "apisecret": "bench:secret:00000000000000000000000000000000",
        "authorization": "Bearer 00000000000000000000000000000000",
        "user-agent": "cold-start-bench"
    });
    let body = (method != "GET" && method != "DELETE").then(|| json!({}));
    (method.to_string(), path, headers, body)
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
    // Each function once, in route-table order, with its first route; then the scheduled ones.
    let mut functions: Vec<(String, Option<Request>)> = Vec::new();
    for route in ferrokey_http::routes() {
        if !functions.iter().any(|(name, _)| name == route.lambda) {
            functions
                .push((route.lambda.to_string(), Some(request(route.method.as_str(), route.path))));
        }
    }
    for name in SCHEDULED {
        functions.push((name.to_string(), None));
    }
    let env = [
        ("AWS_REGION", "eu-west-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "testing".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "testing".to_string()),
        ("AWS_ENDPOINT_URL", endpoint.clone()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
        ("FERROKEY_TABLE", table.clone()),
        ("FERROKEY_PEPPER", "cold-start-bench-pepper-0123456789".to_string()),
        ("RUST_LOG", "warn".to_string()),
    ];

    println!(
        "| function | first request | size (stripped) | cold start, median of {RUNS} | min | max | answer |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut medians = Vec::new();
    for (name, request) in &functions {
        let binary = std::path::Path::new(bins).join(name);
        let size = std::fs::metadata(&binary).map(|m| m.len()).unwrap_or(0);
        let mut times = Vec::new();
        let mut last = Value::Null;
        for _ in 0..RUNS {
            // Exec → first answer; the process is killed when `function` drops.
            let start = Instant::now();
            let mut function = Function::start(&binary, name, &env).await;
            last = match request {
                Some((method, path, headers, body)) => {
                    function.invoke(method, path, headers.clone(), body.clone()).await
                }
                None => function.send(scheduled_event()).await,
            };
            times.push(start.elapsed());
        }
        times.sort();
        let median = times[RUNS / 2];
        medians.push(median);
        let answer = last.get("statusCode").map_or_else(
            || last.to_string().chars().take(40).collect::<String>(),
            |s| s.to_string(),
        );
        let route =
            request.as_ref().map_or("(scheduled)".to_string(), |r| format!("{} {}", r.0, r.1));
        println!(
            "| {name} | {route} | {:.1} MB | {:.1} ms | {:.1} | {:.1} | {answer} |",
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
