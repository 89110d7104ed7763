//! Anonymous endpoints: `/`, `/health/http`, `/health/storage`, `/health/mail`,
//! `/health/version` and the two `/health/throw/*` test errors.

use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ferrokey_core::DomainError;
use ferrokey_core::ops::health::{self, Check};
use serde_json::{Value, json};

/// `GET /health/http`: the process answers.
pub async fn http() -> &'static str {
    "Healthy"
}

/// `GET /`: a pointer for humans.
pub async fn root() -> &'static str {
    "Hey, this place is for computers. Check out our human documentation instead: https://docs.passwordless.dev"
}

fn status(healthy: bool) -> &'static str {
    if healthy { "Healthy" } else { "Unhealthy" }
}

/// The ASP.NET health-report shape; 503 when a check fails.
fn report(name: &str, check: Check) -> (StatusCode, Json<Value>) {
    let code = if check.healthy { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = json!({
        "status": status(check.healthy),
        "elapsedMilliseconds": check.elapsed_ms,
        "results": {
            name: {
                "status": status(check.healthy),
                "elapsedMilliseconds": check.elapsed_ms,
                "data": {"description": check.description},
            }
        }
    });
    (code, Json(body))
}

pub async fn storage(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    report("storage", health::storage(&state.service).await)
}

pub async fn mail(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    report("mail", health::mail(&state.service).await)
}

pub async fn version() -> Json<Value> {
    let version = env!("CARGO_PKG_VERSION");
    Json(json!({
        "status": "Healthy",
        "elapsedMilliseconds": 0,
        "results": {"version": {"status": "Healthy", "elapsedMilliseconds": 0, "data": {"version": version}}}
    }))
}

/// `GET /health/throw/api`: a sample domain problem, for client error handling.
pub async fn throw_api() -> ApiError {
    DomainError::bad_request("test_error", "Testing error response").into()
}

/// `GET /health/throw/exception`: a sample 500, for client error handling.
pub async fn throw_exception() -> ApiError {
    DomainError::Internal("deliberate test exception (/health/throw/exception)".into()).into()
}
