//! The per-route authentication layer: reads the key headers, authenticates for the route's
//! header and scope (the route table says which), and hands the [`Caller`] to the handler;
//! admin routes take an admin session or the management key instead ([`require_admin`]).

use crate::AppState;
use crate::problem::ApiError;
use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ferrokey_core::error::KeyHeader;
use ferrokey_core::model::Scope;

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim)
}

/// Middleware body: `State((state, header, scope))` comes from the route table.
pub async fn require_key(
    State((state, key_header, scope)): State<(AppState, KeyHeader, Option<Scope>)>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let primary = header(headers, key_header.name());
    let other = header(headers, key_header.other().name());
    match state.service.authenticate(key_header, scope, primary, other).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// Middleware body of admin routes: a bearer admin session or the `ManagementKey` header.
pub async fn require_admin(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let headers = request.headers();
    let management = header(headers, "ManagementKey");
    let bearer = header(headers, "Authorization").map(|value| {
        // "Bearer <token>", scheme case-insensitive; anything else is no session at all.
        match value.split_once(' ') {
            Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
            _ => "",
        }
    });
    let bearer = bearer.filter(|b| !b.is_empty());
    match ferrokey_core::ops::admin::authenticate(&state.service, management, bearer).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}
