//! `/alias`, `/alias/list`, `/credentials/list`, `/credentials/delete`, `/users/list`,
//! `/users/count`, `/users/delete`.

use crate::json::{Body, Query, lenient_string, lenient_strings};
use crate::views::{AliasView, CountReply, CredentialView, UserView, Values};
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use base64::Engine;
use ferrokey_core::DomainError;
use ferrokey_core::keys::Caller;
use ferrokey_core::ops::users;
use schemars::JsonSchema;
use serde::Deserialize;

/// A body or query naming one user.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UserBody {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userId")]
    pub userid: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct AliasBody {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userId")]
    pub userid: Option<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub aliases: Option<Vec<String>>,
    #[serde(default)]
    pub hashing: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CredentialIdBody {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "credentialId")]
    pub credentialid: Option<String>,
}

pub async fn set_alias(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<AliasBody>,
) -> Result<StatusCode, ApiError> {
    users::set_aliases(&state.service, &caller, body.userid.as_deref(), body.aliases, body.hashing)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_aliases(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<UserBody>,
) -> Result<Json<Values<AliasView>>, ApiError> {
    let user_id = query.userid.unwrap_or_default();
    let aliases = users::list_aliases(&state.service, &caller, Some(&user_id)).await?;
    let values = aliases.into_iter().map(|a| AliasView::new(&caller.app_id, &user_id, a)).collect();
    Ok(Json(Values { values }))
}

async fn credentials(
    state: &AppState,
    caller: &Caller,
    user_id: Option<&str>,
) -> Result<Json<Values<CredentialView>>, ApiError> {
    let list = users::list_credentials(&state.service, caller, user_id).await?;
    Ok(Json(Values { values: list.into_iter().map(CredentialView::from).collect() }))
}

pub async fn list_credentials_get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<UserBody>,
) -> Result<Json<Values<CredentialView>>, ApiError> {
    if query.userid.as_deref().is_none_or(str::is_empty) {
        return Err(DomainError::bad_request_uncoded(
            "Required parameter \"string UserId\" was not provided from query string.",
        )
        .into());
    }
    credentials(&state, &caller, query.userid.as_deref()).await
}

pub async fn list_credentials_post(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<UserBody>,
) -> Result<Json<Values<CredentialView>>, ApiError> {
    credentials(&state, &caller, body.userid.as_deref()).await
}

/// Credential ids arrive as base64url (the contract); standard base64, as `/signin/verify`
/// reports them, decodes to the same bytes, so it is accepted too.
fn credential_id(value: Option<&str>) -> Result<Vec<u8>, ApiError> {
    use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
    let value = value.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(
            DomainError::bad_request_uncoded("credentialId must not be null or empty").into()
        );
    }
    let unpadded = value.trim_end_matches('=');
    let id =
        URL_SAFE_NO_PAD.decode(unpadded).or_else(|_| STANDARD.decode(value)).map_err(|_| {
            ApiError::from(DomainError::invalid_field(
                "credentialId",
                "The value is not valid base64url.",
            ))
        })?;
    if id.len() > crate::dto::MAX_CREDENTIAL_ID_BYTES {
        return Err(DomainError::invalid_field(
            "credentialId",
            format!("A credential id is at most {} bytes.", crate::dto::MAX_CREDENTIAL_ID_BYTES),
        )
        .into());
    }
    Ok(id)
}

pub async fn delete_credential(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<CredentialIdBody>,
) -> Result<StatusCode, ApiError> {
    let id = credential_id(body.credentialid.as_deref())?;
    users::delete_credential(&state.service, &caller, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn list_users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<Values<UserView>>, ApiError> {
    let list = users::list_users(&state.service, &caller).await?;
    Ok(Json(Values { values: list.into_iter().map(UserView::from).collect() }))
}

pub async fn count_users(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Result<Json<CountReply>, ApiError> {
    Ok(Json(CountReply { count: users::count_users(&state.service, &caller).await? }))
}

/// 200 with an empty body, as upstream answers `/users/delete`.
pub async fn delete_user(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<UserBody>,
) -> Result<StatusCode, ApiError> {
    users::delete_user(&state.service, &caller, body.userid.as_deref()).await?;
    Ok(StatusCode::OK)
}
