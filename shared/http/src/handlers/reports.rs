//! `/reporting/credentials/periodic` and `/reporting/active-users/periodic`.

use crate::json::{Query, lenient_string};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use ferrokey_core::keys::Caller;
use ferrokey_core::ops::reports;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RangeQuery {
    #[serde(default, deserialize_with = "lenient_string")]
    pub from: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub to: Option<String>,
}

/// One day of `/reporting/credentials/periodic`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialsReport {
    /// `yyyy-MM-dd`.
    pub created_at: String,
    pub users: u64,
    pub credentials: u64,
}

/// One day of `/reporting/active-users/periodic`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActiveUsersReport {
    /// `yyyy-MM-dd`.
    pub created_at: String,
    pub daily_active_users: u64,
    pub weekly_active_users: u64,
    pub total_users: u64,
}

pub async fn credentials(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Vec<CredentialsReport>>, ApiError> {
    let days =
        reports::periodic(&state.service, &caller, q.from.as_deref(), q.to.as_deref()).await?;
    Ok(Json(
        days.into_iter()
            .map(|r| CredentialsReport {
                created_at: r.day.to_string(),
                users: r.users,
                credentials: r.credentials,
            })
            .collect(),
    ))
}

pub async fn active_users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Vec<ActiveUsersReport>>, ApiError> {
    let days =
        reports::periodic(&state.service, &caller, q.from.as_deref(), q.to.as_deref()).await?;
    Ok(Json(
        days.into_iter()
            .map(|r| ActiveUsersReport {
                created_at: r.day.to_string(),
                daily_active_users: r.daily_active_users,
                weekly_active_users: r.weekly_active_users,
                total_users: r.users,
            })
            .collect(),
    ))
}
