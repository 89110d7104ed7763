//! `/register/token`, `/register/begin`, `/register/complete`.

use crate::client::client_info;
use crate::dto::{BrowserBody, RegisterTokenBody, credential};
use crate::json::Body;
use crate::views::{BeginReply, TokenReply};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use ferrokey_core::keys::Caller;
use ferrokey_core::ops::register::{self, RegisterCompleteInput};

pub async fn token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<RegisterTokenBody>,
) -> Result<Json<TokenReply>, ApiError> {
    let token = register::token(&state.service, &caller, body.into_input()?).await?;
    Ok(Json(TokenReply { token }))
}

pub async fn begin(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(body): Body<BrowserBody>,
) -> Result<Json<BeginReply>, ApiError> {
    let client = client_info(&state, &headers);
    let (data, session) = register::begin(
        &state.service,
        &caller,
        body.token.as_deref(),
        body.rpid.as_deref(),
        body.origin.as_deref(),
        &client,
    )
    .await?;
    Ok(Json(BeginReply { data: crate::views::object(data), session }))
}

pub async fn complete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(body): Body<BrowserBody>,
) -> Result<Json<TokenReply>, ApiError> {
    let response = credential(body.response)?;
    let discoverable = response.resident_key();
    let input = RegisterCompleteInput {
        session: body.session,
        rp_id: body.rpid,
        origin: body.origin,
        nickname: body.nickname,
        credential: response.into_registration()?,
        discoverable,
    };
    let client = client_info(&state, &headers);
    let token = register::complete(&state.service, &caller, input, &client).await?;
    Ok(Json(TokenReply { token }))
}
