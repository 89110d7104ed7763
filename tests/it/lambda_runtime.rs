//! A minimal Lambda Runtime API emulator: a function binary runs as a real process against it,
//! takes events from `invocation/next` and posts answers back. Shared by the Lambda tests
//! (`lambda.rs`) and the cold-start benchmark (`examples/lambda_cold_start.rs`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
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
pub struct Function {
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

impl Function {
    /// Starts `binary` as function `name`, with only `env` (and the runtime's variables) set.
    pub async fn start(binary: &std::path::Path, name: &str, env: &[(&str, String)]) -> Self {
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
        let mut command = Command::new(binary);
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
    pub async fn invoke(
        &mut self,
        method: &str,
        path: &str,
        headers: Value,
        body: Option<Value>,
    ) -> Value {
        let id = format!("req-{}", self.next_id + 1);
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
        self.send(event).await
    }

    /// Hands `event` to the function; returns its JSON answer (`runtimeError` on an error).
    pub async fn send(&mut self, event: Value) -> Value {
        self.next_id += 1;
        let id = format!("req-{}", self.next_id);
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
