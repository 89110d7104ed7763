//! The route table: the single list of (method, path, access, handler, Lambda binary). The local
//! server mounts all of it, each Lambda binary mounts its own row, and template checks read it.

use crate::handlers::{auth_configs, events, health, register, reports, signin, tokens, users};
use crate::problem::ApiError;
use crate::{AppState, MAX_BODY_BYTES, auth};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, Request};
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, get, post};
use ferrokey_core::error::KeyHeader;
use ferrokey_core::model::Scope;
use std::time::Duration;
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Anonymous,
    /// The header's key, holding the scope.
    Key(KeyHeader, Scope),
    /// Any valid secret key: upstream's secret endpoints other than the token ones need no scope.
    AnySecret,
}

impl Access {
    /// The header and (if any) scope a request must authenticate with.
    pub fn key(self) -> Option<(KeyHeader, Option<Scope>)> {
        match self {
            Access::Anonymous => None,
            Access::Key(header, scope) => Some((header, Some(scope))),
            Access::AnySecret => Some((KeyHeader::ApiSecret, None)),
        }
    }
}

/// One row of the route table.
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// The Lambda binary (and SAM function) that serves this route alone.
    pub lambda: &'static str,
    handler: fn() -> MethodRouter<AppState>,
}

const SECRET: KeyHeader = KeyHeader::ApiSecret;
const PUBLIC: KeyHeader = KeyHeader::ApiKey;

/// Every route Ferrokey serves.
pub fn routes() -> Vec<Route> {
    use Access::{Anonymous, AnySecret, Key};
    let row = |method: Method, path, access, lambda, handler| Route {
        method,
        path,
        access,
        lambda,
        handler,
    };
    vec![
        row(Method::GET, "/", Anonymous, "health-http", || get(health::root)),
        row(Method::GET, "/health/http", Anonymous, "health-http", || get(health::http)),
        row(Method::GET, "/openapi.json", Anonymous, "health-http", || get(crate::openapi::serve)),
        row(Method::GET, "/health/version", Anonymous, "health-http", || get(health::version)),
        row(Method::GET, "/health/throw/api", Anonymous, "health-http", || get(health::throw_api)),
        row(Method::GET, "/health/throw/exception", Anonymous, "health-http", || {
            get(health::throw_exception)
        }),
        row(Method::GET, "/health/storage", Anonymous, "health-storage", || get(health::storage)),
        row(Method::GET, "/health/mail", Anonymous, "health-mail", || get(health::mail)),
        row(
            Method::POST,
            "/register/token",
            Key(SECRET, Scope::TokenRegister),
            "register-token",
            || post(register::token),
        ),
        row(
            Method::POST,
            "/register/begin",
            Key(PUBLIC, Scope::Register),
            "register-begin",
            || post(register::begin),
        ),
        row(
            Method::POST,
            "/register/complete",
            Key(PUBLIC, Scope::Register),
            "register-complete",
            || post(register::complete),
        ),
        row(Method::POST, "/signin/begin", Key(PUBLIC, Scope::Login), "signin-begin", || {
            post(signin::begin)
        }),
        row(Method::POST, "/signin/complete", Key(PUBLIC, Scope::Login), "signin-complete", || {
            post(signin::complete)
        }),
        row(
            Method::POST,
            "/signin/verify",
            Key(SECRET, Scope::TokenVerify),
            "signin-verify",
            || post(signin::verify),
        ),
        row(
            Method::POST,
            "/signin/generate-token",
            Key(SECRET, Scope::TokenVerify),
            "signin-generate-token",
            || post(tokens::generate_token),
        ),
        row(Method::POST, "/magic-links/send", AnySecret, "magic-links-send", || {
            post(tokens::send_magic_link)
        }),
        row(Method::POST, "/apps/features", AnySecret, "apps-features", || {
            post(tokens::set_features)
        }),
        row(Method::GET, "/events", AnySecret, "events-list", || get(events::list)),
        row(
            Method::GET,
            "/reporting/credentials/periodic",
            AnySecret,
            "reporting-credentials",
            || get(reports::credentials),
        ),
        row(
            Method::GET,
            "/reporting/active-users/periodic",
            AnySecret,
            "reporting-active-users",
            || get(reports::active_users),
        ),
        row(Method::GET, "/auth-configs/list", AnySecret, "auth-configs-list", || {
            get(auth_configs::list)
        }),
        row(Method::POST, "/auth-configs/add", AnySecret, "auth-configs-add", || {
            post(auth_configs::add)
        }),
        row(Method::POST, "/auth-configs", AnySecret, "auth-configs-update", || {
            post(auth_configs::update)
        }),
        row(Method::POST, "/auth-configs/delete", AnySecret, "auth-configs-delete", || {
            post(auth_configs::delete)
        }),
        row(Method::POST, "/alias", AnySecret, "alias-set", || post(users::set_alias)),
        row(Method::GET, "/alias/list", AnySecret, "alias-list", || get(users::list_aliases)),
        row(Method::GET, "/credentials/list", AnySecret, "credentials-list", || {
            get(users::list_credentials_get)
        }),
        row(Method::POST, "/credentials/list", AnySecret, "credentials-list", || {
            post(users::list_credentials_post)
        }),
        row(Method::POST, "/credentials/delete", AnySecret, "credentials-delete", || {
            post(users::delete_credential)
        }),
        row(Method::GET, "/users/list", AnySecret, "users-list", || get(users::list_users)),
        row(Method::GET, "/users/count", AnySecret, "users-count", || get(users::count_users)),
        row(Method::POST, "/users/delete", AnySecret, "users-delete", || post(users::delete_user)),
    ]
}

fn mount(state: &AppState, rows: impl Iterator<Item = Route>) -> Router {
    let mut router: Router<AppState> = Router::new();
    for route in rows {
        let mut method_router = (route.handler)();
        if let Some((header, scope)) = route.access.key() {
            method_router = method_router
                .route_layer(from_fn_with_state((state.clone(), header, scope), auth::require_key));
        }
        router = router.route(route.path, method_router);
    }
    // Unknown paths and wrong methods answer problem+json too, so every client can read them.
    let router = router
        .fallback(|| async { ApiError::NoRoute })
        .method_not_allowed_fallback(|| async { ApiError::WrongMethod });
    let request_id = HeaderName::from_static("x-request-id");
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(
            // Browsers call the ceremony endpoints cross-origin with the ApiKey,
            // Client-Version and Content-Type headers; nothing is credentialed (no cookies).
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods(Any)
                .allow_headers(Any)
                .max_age(Duration::from_secs(3600)),
        )
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        // Outside the propagation layer, so the response already carries the request id.
        .layer(axum::middleware::map_response(crate::problem::add_trace_id))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state.clone())
}

/// The whole API (the local server).
pub fn router(state: AppState) -> Router {
    mount(&state, routes().into_iter())
}

/// Only the routes of one Lambda binary; `None` if the name is unknown.
pub fn router_for(state: AppState, lambda: &str) -> Option<Router> {
    let rows: Vec<Route> = routes().into_iter().filter(|r| r.lambda == lambda).collect();
    (!rows.is_empty()).then(|| mount(&state, rows.into_iter()))
}
