//! The route table: the single list of (method, path, access, handler, Lambda binary). The local
//! server mounts all of it, each Lambda binary mounts its own row, and template checks read it.

use crate::handlers::admin::{
    self, apps as admin_apps, dashboard as admin_dashboard, data as admin_data, keys as admin_keys,
};
use crate::handlers::{auth_configs, events, health, register, reports, signin, tokens, users};
use crate::problem::ApiError;
use crate::{AppState, MAX_BODY_BYTES, auth};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, Request};
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, delete, get, post};
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
    /// The admin API: an admin session (`Authorization: Bearer`) or the `ManagementKey` header.
    Admin,
    /// Anyone: the console's sign-in steps, before there is a session (internal, like `Admin`:
    /// neither is part of the public OpenAPI document).
    Console,
}

impl Access {
    /// Routes of the admin API and console sign-in, left out of the public OpenAPI document.
    pub fn is_internal(self) -> bool {
        matches!(self, Access::Admin | Access::Console)
    }

    /// The header and (if any) scope a request must authenticate with.
    pub fn key(self) -> Option<(KeyHeader, Option<Scope>)> {
        match self {
            Access::Anonymous | Access::Admin | Access::Console => None,
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
    use Access::{Admin, Anonymous, AnySecret, Console, Key};
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
        // Console sign-in (ADMIN-API.md §3).
        row(Method::GET, "/console/config.json", Console, "console-config", || {
            get(admin::console_config)
        }),
        row(Method::POST, "/admin/invites/accept", Console, "admin-invites-accept", || {
            post(admin::accept_invite)
        }),
        row(Method::POST, "/admin/session", Console, "admin-session", || post(admin::sign_in)),
        row(Method::GET, "/admin/session", Admin, "admin-session", || get(admin::who_am_i)),
        row(Method::DELETE, "/admin/session", Admin, "admin-session", || delete(admin::sign_out)),
        row(Method::POST, "/admin/session/register-token", Admin, "admin-session", || {
            post(admin::register_token)
        }),
        row(Method::POST, "/admin/recover", Console, "admin-recover", || post(admin::recover)),
        // The organization (§2).
        row(Method::POST, "/admin/org/invites", Admin, "admin-org", || post(admin::invite)),
        row(Method::GET, "/admin/org/admins", Admin, "admin-org", || get(admin::admins)),
        row(Method::DELETE, "/admin/org/admins/{adminId}", Admin, "admin-org", || {
            delete(admin::remove_admin)
        }),
        // Apps (contract §3.12).
        row(Method::GET, "/admin/apps", Admin, "admin-apps-list", || get(admin_apps::list)),
        row(Method::GET, "/admin/apps/{appId}/available", Admin, "admin-apps-available", || {
            get(admin_apps::available)
        }),
        row(Method::POST, "/admin/apps/{appId}/create", Admin, "admin-apps-create", || {
            post(admin_apps::create)
        }),
        row(Method::GET, "/admin/apps/{appId}/features", Admin, "admin-apps-features", || {
            get(admin_apps::features)
        }),
        row(Method::POST, "/admin/apps/{appId}/features", Admin, "admin-apps-features", || {
            post(admin_apps::set_features)
        }),
        row(Method::POST, "/admin/apps/{appId}/freeze", Admin, "admin-apps-freeze", || {
            post(admin_apps::freeze)
        }),
        row(Method::POST, "/admin/apps/{appId}/unfreeze", Admin, "admin-apps-freeze", || {
            post(admin_apps::unfreeze)
        }),
        row(
            Method::GET,
            "/admin/apps/{appId}/can-delete-immediately",
            Admin,
            "admin-apps-delete",
            || get(admin_apps::can_delete_immediately),
        ),
        row(Method::POST, "/admin/apps/{appId}/mark-delete", Admin, "admin-apps-delete", || {
            post(admin_apps::mark_delete)
        }),
        row(Method::POST, "/admin/apps/{appId}/cancel-delete", Admin, "admin-apps-delete", || {
            post(admin_apps::cancel_delete)
        }),
        row(Method::DELETE, "/admin/apps/{appId}", Admin, "admin-apps-delete", || {
            delete(admin_apps::delete)
        }),
        row(Method::GET, "/apps/list-pending-deletion", Admin, "admin-apps-delete", || {
            get(admin_apps::list_due)
        }),
        // API keys.
        row(Method::GET, "/admin/apps/{appId}/api-keys", Admin, "admin-keys-list", || {
            get(admin_keys::list)
        }),
        row(Method::POST, "/admin/apps/{appId}/public-keys", Admin, "admin-keys-create", || {
            post(admin_keys::create_public)
        }),
        row(Method::POST, "/admin/apps/{appId}/secret-keys", Admin, "admin-keys-create", || {
            post(admin_keys::create_secret)
        }),
        row(
            Method::POST,
            "/admin/apps/{appId}/api-keys/{id}/lock",
            Admin,
            "admin-keys-lock",
            || post(admin_keys::lock),
        ),
        row(
            Method::POST,
            "/admin/apps/{appId}/api-keys/{id}/unlock",
            Admin,
            "admin-keys-lock",
            || post(admin_keys::unlock),
        ),
        row(
            Method::DELETE,
            "/admin/apps/{appId}/api-keys/{id}",
            Admin,
            "admin-keys-delete",
            || delete(admin_keys::delete),
        ),
        row(
            Method::GET,
            "/admin/apps/{appId}/api-keys/{id}/reveal",
            Admin,
            "admin-keys-reveal",
            || get(admin_keys::reveal),
        ),
        // An app's data (ADMIN-API.md §4).
        row(Method::GET, "/admin/apps/{appId}/users", Admin, "admin-users", || {
            get(admin_data::users)
        }),
        row(Method::GET, "/admin/apps/{appId}/users/{userId}", Admin, "admin-users", || {
            get(admin_data::user)
        }),
        row(Method::DELETE, "/admin/apps/{appId}/users/{userId}", Admin, "admin-users", || {
            delete(admin_data::delete_user)
        }),
        row(
            Method::DELETE,
            "/admin/apps/{appId}/credentials/{credentialId}",
            Admin,
            "admin-users",
            || delete(admin_data::delete_credential),
        ),
        row(Method::GET, "/admin/apps/{appId}/settings", Admin, "admin-settings", || {
            get(admin_data::settings)
        }),
        row(Method::POST, "/admin/apps/{appId}/settings", Admin, "admin-settings", || {
            post(admin_data::set_settings)
        }),
        row(Method::GET, "/admin/apps/{appId}/auth-configs", Admin, "admin-auth-configs", || {
            get(admin_data::auth_configs)
        }),
        row(Method::POST, "/admin/apps/{appId}/auth-configs", Admin, "admin-auth-configs", || {
            post(admin_data::add_auth_config)
        }),
        row(
            Method::POST,
            "/admin/apps/{appId}/auth-configs/{purpose}",
            Admin,
            "admin-auth-configs",
            || post(admin_data::update_auth_config),
        ),
        row(
            Method::DELETE,
            "/admin/apps/{appId}/auth-configs/{purpose}",
            Admin,
            "admin-auth-configs",
            || delete(admin_data::delete_auth_config),
        ),
        row(Method::GET, "/admin/apps/{appId}/events", Admin, "admin-events", || {
            get(admin_data::events)
        }),
        row(Method::GET, "/admin/apps/{appId}/dashboard", Admin, "admin-dashboard", || {
            get(admin_dashboard::get)
        }),
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
        if route.access == Access::Admin {
            method_router =
                method_router.route_layer(from_fn_with_state(state.clone(), auth::require_admin));
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
