//! An app's API keys: list, create, lock, unlock, delete, reveal.

use crate::json::{Body, Params};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use ferrokey_core::model::KeyKind;
use ferrokey_core::ops::admin::AdminCaller;
use ferrokey_core::ops::admin::keys::{self, ListedKey};
use serde::{Deserialize, Serialize};

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
) -> Result<Json<Vec<ListedKey>>, ApiError> {
    Ok(Json(keys::list(&state.service, &caller, &app_id).await?))
}

#[derive(Debug, Deserialize)]
pub struct ScopesBody {
    /// Numbers or names; checked by the use case.
    #[serde(default)]
    pub scopes: Option<Vec<serde_json::Value>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyReply {
    pub api_key: String,
}

async fn create(
    state: AppState,
    caller: AdminCaller,
    app_id: String,
    body: ScopesBody,
    kind: KeyKind,
) -> Result<Json<KeyReply>, ApiError> {
    let scopes = body.scopes.unwrap_or_default();
    let api_key = keys::create(&state.service, &caller, &app_id, kind, &scopes).await?;
    Ok(Json(KeyReply { api_key }))
}

pub async fn create_public(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Body(body): Body<ScopesBody>,
) -> Result<Json<KeyReply>, ApiError> {
    create(state, caller, app_id, body, KeyKind::Public).await
}

pub async fn create_secret(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Body(body): Body<ScopesBody>,
) -> Result<Json<KeyReply>, ApiError> {
    create(state, caller, app_id, body, KeyKind::Secret).await
}

pub async fn lock(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, key_id)): Params<(String, String)>,
) -> Result<StatusCode, ApiError> {
    keys::lock(&state.service, &caller, &app_id, &key_id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn unlock(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, key_id)): Params<(String, String)>,
) -> Result<StatusCode, ApiError> {
    keys::lock(&state.service, &caller, &app_id, &key_id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, key_id)): Params<(String, String)>,
) -> Result<StatusCode, ApiError> {
    keys::delete(&state.service, &caller, &app_id, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn reveal(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params((app_id, key_id)): Params<(String, String)>,
) -> Result<Json<KeyReply>, ApiError> {
    let api_key = keys::reveal(&state.service, &caller, &app_id, &key_id).await?;
    Ok(Json(KeyReply { api_key }))
}
