//! An app's data as the console shows it: users, one user's passkeys and aliases, settings,
//! authentication configurations and events.

use crate::handlers::auth_configs::{AuthConfigBody, Configurations};
use crate::json::{Body, Params, Query, lenient_string};
use crate::views::{CredentialView, EventView, UserView};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use ferrokey_core::ops::admin::AdminCaller;
use ferrokey_core::ops::admin::data::{self, Settings};
use ferrokey_core::ops::apps::FeaturesPatch;
use ferrokey_core::ops::auth_configs;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    #[serde(default, deserialize_with = "lenient_string")]
    pub search: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub cursor: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub limit: Option<String>,
    #[serde(default, deserialize_with = "lenient_string", rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UsersReply {
    pub users: Vec<UserView>,
    pub next_cursor: Option<String>,
}

pub async fn users(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<UsersReply>, ApiError> {
    let page = data::users(
        &state.service,
        &caller,
        &app_id,
        q.search.as_deref(),
        q.cursor.as_deref(),
        q.limit.as_deref(),
    )
    .await?;
    Ok(Json(UsersReply {
        users: page.users.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

/// A stored credential with the name of the authenticator that made it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminCredentialView {
    #[serde(flatten)]
    pub credential: CredentialView,
    /// From the AAGUID (shared/core/data/aaguids.json); `null` when unknown.
    pub provider_name: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserReply {
    pub user_id: String,
    pub credentials: Vec<AdminCredentialView>,
    /// Plaintext aliases; `null` for each hashed one (it cannot be shown).
    pub aliases: Vec<Option<String>>,
}

pub async fn user(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, user_id)): Params<(String, String)>,
) -> Result<Json<UserReply>, ApiError> {
    let detail = data::user(&state.service, &caller, &app_id, &user_id).await?;
    let credentials = detail
        .credentials
        .into_iter()
        .map(|c| {
            let provider_name = c.aaguid.as_deref().and_then(ferrokey_core::aaguid::provider_name);
            AdminCredentialView { credential: c.into(), provider_name }
        })
        .collect();
    Ok(Json(UserReply { user_id: detail.user_id, credentials, aliases: detail.aliases }))
}

pub async fn delete_user(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, user_id)): Params<(String, String)>,
) -> Result<StatusCode, ApiError> {
    data::delete_user(&state.service, &caller, &app_id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete_credential(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, credential_id)): Params<(String, String)>,
) -> Result<StatusCode, ApiError> {
    data::delete_credential(&state.service, &caller, &app_id, &credential_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn settings(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(data::settings(&state.service, &caller, &app_id).await?))
}

#[derive(Debug, Deserialize)]
pub struct SettingsBody {
    #[serde(default)]
    pub isgeneratesignintokenendpointenabled: Option<bool>,
    #[serde(default)]
    pub ismagiclinksenabled: Option<bool>,
    #[serde(default)]
    pub eventloggingretentionperiod: Option<i64>,
}

pub async fn set_settings(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Body(body): Body<SettingsBody>,
) -> Result<Json<Settings>, ApiError> {
    let patch = FeaturesPatch {
        performed_by: None,
        event_logging_retention_period: body.eventloggingretentionperiod,
        enable_manually_generated_authentication_tokens: body.isgeneratesignintokenendpointenabled,
        enable_magic_links: body.ismagiclinksenabled,
    };
    Ok(Json(data::set_settings(&state.service, &caller, &app_id, patch).await?))
}

pub async fn auth_configs(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<Json<Configurations>, ApiError> {
    let app = data::app_caller(&state.service, &caller, &app_id).await?;
    let configs = auth_configs::list(&state.service, &app, None).await?;
    Ok(Json(Configurations { configurations: configs.into_iter().map(Into::into).collect() }))
}

pub async fn add_auth_config(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Body(body): Body<AuthConfigBody>,
) -> Result<StatusCode, ApiError> {
    let app = data::app_caller(&state.service, &caller, &app_id).await?;
    let mut input = body.into_input();
    input.performed_by = Some(caller.performed_by());
    auth_configs::add(&state.service, &app, input).await?;
    Ok(StatusCode::CREATED)
}

pub async fn update_auth_config(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, purpose)): Params<(String, String)>,
    Body(body): Body<AuthConfigBody>,
) -> Result<StatusCode, ApiError> {
    let app = data::app_caller(&state.service, &caller, &app_id).await?;
    let mut input = body.into_input();
    input.purpose = Some(purpose);
    input.performed_by = Some(caller.performed_by());
    auth_configs::update(&state.service, &app, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete_auth_config(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, purpose)): Params<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let app = data::app_caller(&state.service, &caller, &app_id).await?;
    let by = caller.performed_by();
    auth_configs::delete(&state.service, &app, Some(&purpose), Some(&by)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventsReply {
    pub events: Vec<EventView>,
    pub next_cursor: Option<String>,
}

pub async fn events(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Query(q): Query<PageQuery>,
) -> Result<Json<EventsReply>, ApiError> {
    let page = data::events(
        &state.service,
        &caller,
        &app_id,
        q.cursor.as_deref(),
        q.kind.as_deref(),
        q.limit.as_deref(),
    )
    .await?;
    Ok(Json(EventsReply {
        events: page.events.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}
