//! The admin API's handlers (ADMIN-API.md): console sign-in and the organization here; apps,
//! keys and an app's data in the submodules.

pub mod apps;
pub mod dashboard;
pub mod data;
pub mod keys;

use crate::json::{Body, Params, lenient_string};
use crate::views::TokenReply;
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use ferrokey_core::ops::admin::AdminCaller;
use ferrokey_core::ops::admin::console::{self, ConsoleConfig};
use ferrokey_core::ops::admin::org::{self, Invitation, ListedAdmin};
use ferrokey_core::ops::admin::session::{self, AdminView, SignedIn};
use serde::{Deserialize, Serialize};

/// `GET /console/config.json`.
pub async fn console_config(
    State(state): State<AppState>,
) -> Result<Json<ConsoleConfig>, ApiError> {
    Ok(Json(console::config(&state.service).await?))
}

#[derive(Debug, Deserialize)]
pub struct CodeBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub code: Option<String>,
}

/// `POST /admin/invites/accept`.
pub async fn accept_invite(
    State(state): State<AppState>,
    Body(body): Body<CodeBody>,
) -> Result<Json<TokenReply>, ApiError> {
    let token = session::accept(&state.service, body.code.as_deref()).await?;
    Ok(Json(TokenReply { token }))
}

#[derive(Debug, Deserialize)]
pub struct TokenBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub token: Option<String>,
}

/// `POST /admin/session`.
pub async fn sign_in(
    State(state): State<AppState>,
    Body(body): Body<TokenBody>,
) -> Result<Json<SignedIn>, ApiError> {
    Ok(Json(session::exchange(&state.service, body.token.as_deref()).await?))
}

#[derive(Debug, Serialize)]
pub struct WhoAmI {
    pub admin: Option<AdminView>,
    /// `ManagementKey` or `AdminSession`.
    pub via: &'static str,
}

/// `GET /admin/session`.
pub async fn who_am_i(Extension(caller): Extension<AdminCaller>) -> Json<WhoAmI> {
    Json(match &caller {
        AdminCaller::Management => WhoAmI { admin: None, via: "ManagementKey" },
        AdminCaller::Admin { admin, .. } => {
            WhoAmI { admin: Some(admin.into()), via: "AdminSession" }
        }
    })
}

/// `DELETE /admin/session`.
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
) -> Result<StatusCode, ApiError> {
    session::sign_out(&state.service, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /admin/session/register-token`: a register token to add a passkey to the signed-in
/// admin (after a recovery link, or for a second device).
pub async fn register_token(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
) -> Result<Json<TokenReply>, ApiError> {
    let token = session::register_token(&state.service, &caller).await?;
    Ok(Json(TokenReply { token }))
}

#[derive(Debug, Deserialize)]
pub struct EmailBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub email: Option<String>,
}

/// `POST /admin/recover`: 204 whether or not the address is an admin's.
pub async fn recover(
    State(state): State<AppState>,
    Body(body): Body<EmailBody>,
) -> Result<StatusCode, ApiError> {
    session::recover(&state.service, body.email.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteReply {
    pub invite_url: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// `POST /admin/org/invites`.
pub async fn invite(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Body(body): Body<EmailBody>,
) -> Result<Json<InviteReply>, ApiError> {
    let Invitation { invite_url, expires_at, .. } =
        org::invite_to_own(&state.service, &caller, body.email.as_deref()).await?;
    Ok(Json(InviteReply { invite_url, expires_at }))
}

/// `GET /admin/org/admins`.
pub async fn admins(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
) -> Result<Json<Vec<ListedAdmin>>, ApiError> {
    Ok(Json(org::list_admins(&state.service, &caller).await?))
}

/// `DELETE /admin/org/admins/{adminId}`.
pub async fn remove_admin(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(admin_id): Params<String>,
) -> Result<StatusCode, ApiError> {
    org::remove_admin(&state.service, &caller, &admin_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
