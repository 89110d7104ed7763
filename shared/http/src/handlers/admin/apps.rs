//! Apps: list, availability, create, features, freeze and deletion.

use crate::json::{Body, Params, lenient_string};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use ferrokey_core::ops::admin::AdminCaller;
use ferrokey_core::ops::admin::apps::{self, CreateAppInput, CreatedKeys, FeaturesView, ListedApp};
use ferrokey_core::ops::admin::deletion::{self, MarkedForDeletion};
use serde::{Deserialize, Serialize};

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
) -> Result<Json<Vec<ListedApp>>, ApiError> {
    Ok(Json(apps::list(&state.service, &caller).await?))
}

#[derive(Debug, Serialize)]
pub struct Available {
    pub available: bool,
}

pub async fn available(
    State(state): State<AppState>,
    Params(app_id): Params<String>,
) -> Result<Json<Available>, ApiError> {
    Ok(Json(Available { available: apps::available(&state.service, &app_id).await? }))
}

/// The create and features bodies (features: a full overwrite of these).
#[derive(Debug, Deserialize)]
pub struct AppBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub adminemail: Option<String>,
    #[serde(default)]
    pub eventloggingisenabled: Option<bool>,
    #[serde(default)]
    pub eventloggingretentionperiod: Option<i64>,
    #[serde(default)]
    pub magiclinkemailmonthlyquota: Option<i64>,
    #[serde(default)]
    pub maxusers: Option<i64>,
    #[serde(default)]
    pub allowattestation: Option<bool>,
}

impl From<AppBody> for CreateAppInput {
    fn from(b: AppBody) -> Self {
        CreateAppInput {
            admin_email: b.adminemail,
            event_logging_is_enabled: b.eventloggingisenabled,
            event_logging_retention_period: b.eventloggingretentionperiod,
            magic_link_email_monthly_quota: b.magiclinkemailmonthlyquota,
            max_users: b.maxusers,
            allow_attestation: b.allowattestation,
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Body(body): Body<AppBody>,
) -> Result<Json<CreatedKeys>, ApiError> {
    Ok(Json(apps::create(&state.service, &caller, &app_id, body.into()).await?))
}

pub async fn features(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<Json<FeaturesView>, ApiError> {
    Ok(Json(apps::features(&state.service, &caller, &app_id).await?))
}

pub async fn set_features(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Body(body): Body<AppBody>,
) -> Result<StatusCode, ApiError> {
    apps::set_features(&state.service, &caller, &app_id, body.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn freeze(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<StatusCode, ApiError> {
    apps::freeze(&state.service, &caller, &app_id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unfreeze(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<StatusCode, ApiError> {
    apps::freeze(&state.service, &caller, &app_id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn can_delete_immediately(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<Json<bool>, ApiError> {
    Ok(Json(deletion::can_delete_immediately(&state.service, &caller, &app_id).await?))
}

#[derive(Debug, Deserialize)]
pub struct MarkDeleteBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub deletedby: Option<String>,
}

pub async fn mark_delete(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Body(body): Body<MarkDeleteBody>,
) -> Result<Json<MarkedForDeletion>, ApiError> {
    let marked =
        deletion::mark_delete(&state.service, &caller, &app_id, body.deletedby.as_deref()).await?;
    Ok(Json(marked))
}

#[derive(Debug, Serialize)]
pub struct Message {
    pub message: String,
}

pub async fn cancel_delete(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<Json<Message>, ApiError> {
    Ok(Json(Message { message: deletion::cancel_delete(&state.service, &caller, &app_id).await? }))
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<StatusCode, ApiError> {
    deletion::delete(&state.service, &caller, &app_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_due(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
) -> Result<Json<Vec<String>>, ApiError> {
    Ok(Json(deletion::list_due(&state.service, &caller).await?))
}
