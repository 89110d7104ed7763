//! `GET /events`.

use crate::json::{Query, lenient_string};
use crate::views::EventsView;
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use ferrokey_core::keys::Caller;
use ferrokey_core::ops::log;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Deserialize, JsonSchema)]
pub struct EventsQuery {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "pageNumber")]
    pub pagenumber: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "numberOfResults")]
    pub numberofresults: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<EventsQuery>,
) -> Result<Json<EventsView>, ApiError> {
    let page = log::list(
        &state.service,
        &caller,
        query.pagenumber.as_deref(),
        query.numberofresults.as_deref(),
    )
    .await?;
    Ok(Json(EventsView {
        tenant_id: caller.app_id.clone(),
        events: page.events.into_iter().map(Into::into).collect(),
        total_event_count: page.total,
    }))
}
