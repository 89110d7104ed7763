//! `/auth-configs/list`, `/auth-configs/add`, `/auth-configs` (update), `/auth-configs/delete`.

use crate::json::{Body, Query, lenient_string, lenient_strings};
use crate::views::AuthConfigView;
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use ferrokey_core::keys::Caller;
use ferrokey_core::ops::auth_configs::{self, AuthConfigInput};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, JsonSchema)]
pub struct PurposeQuery {
    #[serde(default, deserialize_with = "lenient_string")]
    pub purpose: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct AuthConfigBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub purpose: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userVerificationRequirement")]
    pub userverificationrequirement: Option<String>,
    /// `"hh:mm:ss"` as upstream takes it; a number of seconds is accepted too.
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "timeToLive")]
    pub timetolive: Option<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub hints: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "performedBy")]
    pub performedby: Option<String>,
}

impl AuthConfigBody {
    pub(crate) fn into_input(self) -> AuthConfigInput {
        AuthConfigInput {
            purpose: self.purpose,
            user_verification: self.userverificationrequirement,
            time_to_live: self.timetolive,
            hints: self.hints,
            performed_by: self.performedby,
        }
    }
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Configurations {
    pub configurations: Vec<AuthConfigView>,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<PurposeQuery>,
) -> Result<Json<Configurations>, ApiError> {
    let configs = auth_configs::list(&state.service, &caller, query.purpose.as_deref()).await?;
    Ok(Json(Configurations { configurations: configs.into_iter().map(Into::into).collect() }))
}

pub async fn add(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<AuthConfigBody>,
) -> Result<StatusCode, ApiError> {
    auth_configs::add(&state.service, &caller, body.into_input()).await?;
    Ok(StatusCode::CREATED)
}

pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<AuthConfigBody>,
) -> Result<StatusCode, ApiError> {
    auth_configs::update(&state.service, &caller, body.into_input()).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<AuthConfigBody>,
) -> Result<StatusCode, ApiError> {
    auth_configs::delete(
        &state.service,
        &caller,
        body.purpose.as_deref(),
        body.performedby.as_deref(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
