//! `/signin/begin`, `/signin/complete`, `/signin/verify`.

use crate::client::client_info;
use crate::dto::{BrowserBody, credential};
use crate::json::Body;
use crate::views::{BeginReply, TokenReply};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use ferrokey_core::keys::Caller;
use ferrokey_core::ops::signin::{self, SigninBeginInput, SigninCompleteInput};
use ferrokey_core::ops::verify::{self, VerifiedToken};

pub async fn begin(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(body): Body<BrowserBody>,
) -> Result<Json<BeginReply>, ApiError> {
    let input = SigninBeginInput {
        user_id: body.userid,
        alias: body.alias,
        purpose: body.purpose,
        rp_id: body.rpid,
        origin: body.origin,
    };
    let client = client_info(&state, &headers);
    let (data, session) = signin::begin(&state.service, &caller, input, &client).await?;
    Ok(Json(BeginReply { data: crate::views::object(data), session }))
}

pub async fn complete(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Body(body): Body<BrowserBody>,
) -> Result<Json<TokenReply>, ApiError> {
    let input = SigninCompleteInput {
        session: body.session,
        rp_id: body.rpid,
        origin: body.origin,
        assertion: credential(body.response)?.into_assertion()?,
    };
    let client = client_info(&state, &headers);
    let token = signin::complete(&state.service, &caller, input, &client).await?;
    Ok(Json(TokenReply { token }))
}

pub async fn verify(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<BrowserBody>,
) -> Result<Json<VerifiedToken>, ApiError> {
    Ok(Json(verify::verify(&state.service, &caller, body.token.as_deref()).await?))
}
