//! `GET /admin/apps/{appId}/dashboard?from=&to=`: the analytics dashboard of one app
//! (ANALYTICS.md, "Dashboard API"); the body is the domain's [`Dashboard`] as it serialises.

use crate::json::{Params, Query, lenient_string};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use ferrokey_core::analytics::dashboard::Dashboard;
use ferrokey_core::ops::admin::AdminCaller;
use ferrokey_core::ops::analytics::dashboard;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    #[serde(default, deserialize_with = "lenient_string")]
    pub from: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub to: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<AdminCaller>,
    Params(app_id): Params<String>,
    Query(q): Query<PeriodQuery>,
) -> Result<Json<Dashboard>, ApiError> {
    let from = q.from.as_deref();
    Ok(Json(dashboard::get(&state.service, &caller, &app_id, from, q.to.as_deref()).await?))
}
