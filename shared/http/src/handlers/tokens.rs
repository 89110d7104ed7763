//! `/signin/generate-token`, `/magic-links/send` and `/apps/features`: the backend's token and
//! feature calls.

use crate::json::{Body, lenient_string};
use crate::views::TokenReply;
use crate::{AppState, problem::ApiError};
use axum::Json;
use axum::extract::{Extension, State};
use axum::http::StatusCode;
use ferrokey_core::keys::Caller;
use ferrokey_core::ops::apps::{self, FeaturesPatch};
use ferrokey_core::ops::magic::{self, MagicLinkInput};
use ferrokey_core::ops::verify::{self, GenerateTokenInput};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Deserialize, JsonSchema)]
pub struct GenerateTokenBody {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userId")]
    pub userid: Option<String>,
    #[serde(default)]
    #[schemars(rename = "timeToLive")]
    pub timetolive: Option<i64>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub purpose: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "RPID")]
    pub rpid: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "Origin")]
    pub origin: Option<String>,
}

pub async fn generate_token(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<GenerateTokenBody>,
) -> Result<Json<TokenReply>, ApiError> {
    let input = GenerateTokenInput {
        user_id: body.userid,
        time_to_live: body.timetolive,
        purpose: body.purpose,
        rp_id: body.rpid,
        origin: body.origin,
    };
    let token = verify::generate(&state.service, &caller, input).await?;
    Ok(Json(TokenReply { token }))
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct MagicLinkBody {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "emailAddress")]
    pub emailaddress: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "urlTemplate")]
    pub urltemplate: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userId")]
    pub userid: Option<String>,
    #[serde(default)]
    #[schemars(rename = "timeToLive")]
    pub timetolive: Option<i64>,
}

pub async fn send_magic_link(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<MagicLinkBody>,
) -> Result<StatusCode, ApiError> {
    let input = MagicLinkInput {
        email_address: body.emailaddress,
        url_template: body.urltemplate,
        user_id: body.userid,
        time_to_live: body.timetolive,
    };
    magic::send(&state.service, &caller, input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unknown members (the Python SDK sends `auditLoggingRetentionPeriod`) are ignored.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct FeaturesBody {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "performedBy")]
    pub performedby: Option<String>,
    #[serde(default)]
    #[schemars(rename = "eventLoggingRetentionPeriod")]
    pub eventloggingretentionperiod: Option<i64>,
    #[serde(default)]
    #[schemars(rename = "enableManuallyGeneratedAuthenticationTokens")]
    pub enablemanuallygeneratedauthenticationtokens: Option<bool>,
    #[serde(default)]
    #[schemars(rename = "enableMagicLinks")]
    pub enablemagiclinks: Option<bool>,
}

pub async fn set_features(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Body(body): Body<FeaturesBody>,
) -> Result<StatusCode, ApiError> {
    let patch = FeaturesPatch {
        performed_by: body.performedby,
        event_logging_retention_period: body.eventloggingretentionperiod,
        enable_manually_generated_authentication_tokens: body
            .enablemanuallygeneratedauthenticationtokens,
        enable_magic_links: body.enablemagiclinks,
    };
    apps::set_features(&state.service, &caller, patch).await?;
    Ok(StatusCode::NO_CONTENT)
}
