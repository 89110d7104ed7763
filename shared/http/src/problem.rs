//! Every error a request can end in, and the one exhaustive mapping to problem+json (RFC 7807)
//! with the contract's types, titles and codes (§2, §4). 5xx bodies never carry internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ferrokey_core::DomainError;
use ferrokey_core::tokens::expired_title;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const ERRORS_URL: &str = "https://docs.passwordless.dev/guide/errors.html#";
const VALIDATION_TYPE: &str = "https://tools.ietf.org/html/rfc9110#section-15.5.1";
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A failed request: a domain refusal, or a body the HTTP layer could not read.
#[derive(Debug)]
pub enum ApiError {
    Domain(DomainError),
    /// The body is not JSON (or not UTF-8, or too deep): 400.
    MalformedBody {
        detail: String,
    },
    /// The body is JSON but a member has the wrong type: 400 validation naming the field.
    WrongType {
        field: String,
        message: String,
    },
    /// Over [`crate::MAX_BODY_BYTES`]: 413.
    TooLarge,
    /// No route has this path: 404.
    NoRoute,
    /// The path exists, not with this method: 405.
    WrongMethod,
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        ApiError::Domain(e)
    }
}

/// A problem document as clients receive it (for the OpenAPI schema; bodies are built below).
#[derive(Debug, schemars::JsonSchema)]
#[allow(dead_code)]
pub struct ProblemDocument {
    #[schemars(rename = "type")]
    kind: String,
    title: String,
    status: u16,
    detail: Option<String>,
    #[schemars(rename = "errorCode")]
    error_code: Option<String>,
    /// Validation problems: member → messages.
    errors: Option<std::collections::BTreeMap<String, Vec<String>>>,
    #[schemars(rename = "traceId")]
    trace_id: Option<String>,
}

/// The wire parts of one problem.
struct Problem {
    status: StatusCode,
    body: Map<String, Value>,
    www_authenticate: Option<&'static str>,
    retry_after: Option<u32>,
}

fn coded(status: StatusCode, code: Option<&str>, title: &str) -> Problem {
    let mut body = Map::new();
    body.insert("type".into(), json!(format!("{ERRORS_URL}{}", code.unwrap_or_default())));
    body.insert("title".into(), json!(title));
    body.insert("status".into(), json!(status.as_u16()));
    body.insert("errorCode".into(), json!(code));
    Problem { status, body, www_authenticate: None, retry_after: None }
}

fn validation(errors: &BTreeMap<String, Vec<String>>) -> Problem {
    let mut body = Map::new();
    body.insert("type".into(), json!(VALIDATION_TYPE));
    body.insert("title".into(), json!("One or more validation errors occurred."));
    body.insert("status".into(), json!(400));
    body.insert("errors".into(), json!(errors));
    Problem { status: StatusCode::BAD_REQUEST, body, www_authenticate: None, retry_after: None }
}

fn auth_problem(status: StatusCode, fragment: &str, title: &str, detail: &str) -> Problem {
    let mut body = Map::new();
    body.insert("type".into(), json!(format!("{ERRORS_URL}{fragment}")));
    body.insert("title".into(), json!(title));
    body.insert("status".into(), json!(status.as_u16()));
    body.insert("detail".into(), json!(detail));
    Problem { status, body, www_authenticate: None, retry_after: None }
}

fn problem_for(error: &ApiError) -> Problem {
    match error {
        ApiError::Domain(e) => domain_problem(e),
        ApiError::MalformedBody { detail } => {
            let mut p = coded(
                StatusCode::BAD_REQUEST,
                Some("invalid_json"),
                "The request body is not valid JSON.",
            );
            p.body.insert("detail".into(), json!(detail));
            p
        }
        ApiError::WrongType { field, message } => {
            let mut errors = BTreeMap::new();
            errors.insert(field.clone(), vec![message.clone()]);
            validation(&errors)
        }
        ApiError::TooLarge => coded(
            StatusCode::PAYLOAD_TOO_LARGE,
            Some("payload_too_large"),
            "The request body is larger than 1 MiB.",
        ),
        ApiError::NoRoute => {
            coded(StatusCode::NOT_FOUND, Some("not_found"), "There is no endpoint at this path.")
        }
        ApiError::WrongMethod => coded(
            StatusCode::METHOD_NOT_ALLOWED,
            Some("method_not_allowed"),
            "This endpoint does not accept this HTTP method.",
        ),
    }
}

fn domain_problem(e: &DomainError) -> Problem {
    match e {
        DomainError::Unauthorized { header, detail } => {
            let name = header.name();
            let title = format!("A valid '{name}' header is required.");
            let mut p = auth_problem(StatusCode::UNAUTHORIZED, name, &title, detail);
            p.www_authenticate = Some(name);
            p
        }
        DomainError::ApiKeyLocked => {
            coded(StatusCode::FORBIDDEN, Some("api_key_locked"), "ApiKey has been locked.")
        }
        DomainError::MissingScope { scope } => auth_problem(
            StatusCode::FORBIDDEN,
            "forbidden",
            "You are forbidden from accessing this resource.",
            &format!(
                "You are unable to access this resource because you do not have the required permissions. Required scopes: {scope}"
            ),
        ),
        DomainError::Validation(errors) => validation(errors),
        DomainError::BadRequest { code, title } => coded(StatusCode::BAD_REQUEST, *code, title),
        DomainError::NotFound { code, title } => coded(StatusCode::NOT_FOUND, *code, title),
        DomainError::Forbidden { code, title } => coded(StatusCode::FORBIDDEN, *code, title),
        DomainError::TooManyRequests { code, title, retry_after } => {
            let mut p = coded(StatusCode::TOO_MANY_REQUESTS, *code, title);
            p.retry_after = Some(u32::try_from(*retry_after).unwrap_or(u32::MAX));
            p
        }
        DomainError::ExpiredToken { seconds_ago } => {
            coded(StatusCode::FORBIDDEN, Some("expired_token"), &expired_title(*seconds_ago))
        }
        DomainError::UnknownCredential { credential_id } => {
            let mut p = coded(
                StatusCode::BAD_REQUEST,
                Some("unknown_credential"),
                "We don't recognize the passkey you sent us.",
            );
            p.body.insert("credentialId".into(), json!(credential_id));
            p
        }
        DomainError::AliasConflict => coded(
            StatusCode::CONFLICT,
            Some("alias_conflict"),
            "Alias is already in use by another userid",
        ),
        DomainError::AppExists { app_id } => coded(
            StatusCode::CONFLICT,
            Some("app_exists"),
            &format!("accountName '{app_id}' is not available"),
        ),
        DomainError::ManagementKeyRequired => {
            let title = "A valid 'ManagementKey' header is required.";
            let mut p = auth_problem(
                StatusCode::UNAUTHORIZED,
                "ManagementKey",
                title,
                "Send the 'ManagementKey' header, or sign in to the console and send its session as 'Authorization: Bearer <session>'.",
            );
            p.www_authenticate = Some("ManagementKey");
            p
        }
        DomainError::NotSignedIn { detail } => {
            let mut p = coded(
                StatusCode::UNAUTHORIZED,
                Some("invalid_admin_session"),
                "The admin session is not valid. Sign in again.",
            );
            p.body.insert("detail".into(), json!(detail));
            p.www_authenticate = Some("Bearer");
            p
        }
        DomainError::Conflict { code, title } => coded(StatusCode::CONFLICT, Some(code), title),
        DomainError::Gone { code, title } => coded(StatusCode::GONE, Some(code), title),
        DomainError::Unavailable(cause) => {
            tracing::error!(%cause, "dependency unavailable");
            let mut p = coded(
                StatusCode::SERVICE_UNAVAILABLE,
                Some("service_unavailable"),
                "The service is temporarily unavailable. Please retry shortly.",
            );
            p.retry_after = Some(5);
            p
        }
        DomainError::Internal(cause) => {
            tracing::error!(%cause, "internal error");
            let mut p =
                coded(StatusCode::INTERNAL_SERVER_ERROR, None, "The api has encountered an error");
            p.body.insert("detail".into(), json!("The api has encountered an error"));
            p
        }
    }
}

/// The status, content type and JSON body an error maps to (exposed for tests).
pub fn describe(error: &ApiError) -> (StatusCode, Value) {
    let p = problem_for(error);
    (p.status, Value::Object(p.body))
}

/// Response middleware: adds `traceId` (the request id, also sent as `x-request-id`) to every
/// problem+json body, as ASP.NET does upstream, so a developer can quote it and we can find the
/// request in the logs. Only problem bodies are touched; they are small.
pub async fn add_trace_id(response: Response) -> Response {
    let is_problem =
        response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == PROBLEM_JSON);
    let Some(id) =
        response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(String::from)
    else {
        return response;
    };
    if !is_problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // Problem bodies are built in memory from bounded texts (see `ApiError`), so reading one
    // back cannot fail; if it ever did, the status and headers survive with a minimal body.
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "problem body unreadable");
            let status = parts.status.as_u16();
            axum::body::Bytes::from(
                json!({"type": ERRORS_URL, "title": "The api has encountered an error", "status": status})
                    .to_string(),
            )
        }
    };
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut map)) => {
            map.insert("traceId".into(), json!(id));
            Value::Object(map).to_string().into_bytes()
        }
        _ => bytes.to_vec(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(body))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let p = problem_for(&self);
        let mut response = (p.status, Value::Object(p.body).to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(scheme) = p.www_authenticate {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(scheme));
        }
        if let Some(seconds) = p.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;
    use ferrokey_core::error::KeyHeader;

    /// One value of every variant, with the status and errorCode the contract gives it.
    fn cases() -> Vec<(ApiError, u16, Option<&'static str>)> {
        let d = ApiError::Domain;
        let mut errors = BTreeMap::new();
        errors.insert("userId".to_string(), vec!["The UserId field is required.".to_string()]);
        vec![
            (
                d(DomainError::Unauthorized { header: KeyHeader::ApiKey, detail: "x".into() }),
                401,
                None,
            ),
            (d(DomainError::ApiKeyLocked), 403, Some("api_key_locked")),
            (d(DomainError::MissingScope { scope: "register" }), 403, None),
            (d(DomainError::Validation(errors)), 400, None),
            (d(DomainError::bad_request("invalid_token", "t")), 400, Some("invalid_token")),
            (d(DomainError::bad_request_uncoded("Origin is required.")), 400, None),
            (d(DomainError::ExpiredToken { seconds_ago: 10 }), 403, Some("expired_token")),
            (
                d(DomainError::UnknownCredential { credential_id: "abc".into() }),
                400,
                Some("unknown_credential"),
            ),
            (d(DomainError::AliasConflict), 409, Some("alias_conflict")),
            (d(DomainError::AppExists { app_id: "a".into() }), 409, Some("app_exists")),
            (d(DomainError::Unavailable("db down".into())), 503, Some("service_unavailable")),
            (d(DomainError::Internal("secret cause".into())), 500, None),
            (ApiError::MalformedBody { detail: "x".into() }, 400, Some("invalid_json")),
            (ApiError::WrongType { field: "userId".into(), message: "m".into() }, 400, None),
            (ApiError::TooLarge, 413, Some("payload_too_large")),
            (ApiError::NoRoute, 404, Some("not_found")),
            (ApiError::WrongMethod, 405, Some("method_not_allowed")),
            (
                d(DomainError::NotFound { code: Some("credential_not_found"), title: "t".into() }),
                404,
                Some("credential_not_found"),
            ),
            (d(DomainError::Forbidden { code: None, title: "off".into() }), 403, None),
            (d(DomainError::ManagementKeyRequired), 401, None),
            (
                d(DomainError::NotSignedIn { detail: "expired".into() }),
                401,
                Some("invalid_admin_session"),
            ),
            (
                d(DomainError::Conflict { code: "api_key_not_locked", title: "t".into() }),
                409,
                Some("api_key_not_locked"),
            ),
            (
                d(DomainError::Gone { code: "api_key_no_longer_viewable", title: "t".into() }),
                410,
                Some("api_key_no_longer_viewable"),
            ),
            (
                d(DomainError::TooManyRequests {
                    code: None,
                    title: "slow".into(),
                    retry_after: 7,
                }),
                429,
                None,
            ),
        ]
    }

    #[tokio::test]
    async fn every_error_maps_to_problem_json() {
        for (error, status, code) in cases() {
            let label = format!("{error:?}");
            let response = error.into_response();
            assert_eq!(response.status().as_u16(), status, "{label}");
            assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON, "{label}");
            let body = to_bytes(response.into_body(), usize::MAX).await.unwrap();
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["status"], json!(status), "{label}");
            assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "{label}");
            if let Some(code) = code {
                assert_eq!(body["errorCode"], json!(code), "{label}");
                assert_eq!(body["type"], json!(format!("{ERRORS_URL}{code}")), "{label}");
            }
            assert!(!body.to_string().contains("secret cause"), "internals leaked: {body}");
        }
    }

    #[test]
    fn auth_and_unavailable_headers() {
        let unauthorized = ApiError::Domain(DomainError::Unauthorized {
            header: KeyHeader::ApiSecret,
            detail: "d".into(),
        })
        .into_response();
        assert_eq!(unauthorized.headers()[header::WWW_AUTHENTICATE], "ApiSecret");
        let unavailable = ApiError::Domain(DomainError::Unavailable("x".into())).into_response();
        assert_eq!(unavailable.headers()[header::RETRY_AFTER], "5");
    }
}
