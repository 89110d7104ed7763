//! Verify tokens: what a completed ceremony proves, redeemed once by the app backend at
//! `/signin/verify` (single-use, unlike upstream: a leaked token cannot be replayed).

use crate::error::DomainError;
use crate::events::EventKind;
use crate::keys::Caller;
use crate::model::{TokenKind, TokenRecord};
use crate::service::Service;
use crate::tokens;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// The `/signin/verify` response body (contract §3.2), stored as the token's payload.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedToken {
    pub user_id: String,
    pub timestamp: String,
    pub rp_id: Option<String>,
    pub origin: Option<String>,
    pub success: bool,
    pub device: Option<String>,
    pub country: Option<String>,
    pub nickname: Option<String>,
    /// Standard (padded) base64 of the credential id.
    pub credential_id: Option<String>,
    pub purpose: Option<String>,
    pub expires_at: String,
    pub token_id: String,
    #[serde(rename = "type")]
    pub kind: String,
}

/// ISO-8601 UTC with a `Z`, as tokens carry dates.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// What a completed ceremony hands to [`issue`].
pub struct Proof {
    pub user_id: String,
    pub kind: &'static str,
    pub rp_id: String,
    pub origin: String,
    pub device: String,
    pub country: String,
    pub nickname: Option<String>,
    pub credential_id: Vec<u8>,
    pub purpose: Option<String>,
    pub ttl: Duration,
}

/// Mints a verify token for `proof`: its value and the record the ceremony's commit stores.
pub fn mint(
    svc: &Service,
    app_id: &str,
    proof: Proof,
) -> Result<(String, TokenRecord), DomainError> {
    use base64::Engine;
    let now = svc.clock.now();
    let expires_at = now + proof.ttl;
    let body = VerifiedToken {
        user_id: proof.user_id,
        timestamp: iso(now),
        rp_id: Some(proof.rp_id),
        origin: Some(proof.origin),
        success: true,
        device: Some(proof.device),
        country: Some(proof.country),
        nickname: proof.nickname,
        credential_id: Some(base64::engine::general_purpose::STANDARD.encode(&proof.credential_id)),
        purpose: proof.purpose,
        expires_at: iso(expires_at),
        token_id: uuid::Uuid::new_v4().to_string(),
        kind: proof.kind.to_string(),
    };
    let payload = serde_json::to_string(&body)
        .map_err(|e| DomainError::Internal(format!("verify token encode: {e}")))?;
    let (token, hash) = tokens::mint(TokenKind::Verify);
    let record = TokenRecord {
        token_hash: hash,
        app_id: app_id.to_string(),
        kind: TokenKind::Verify,
        expires_at,
        payload,
    };
    Ok((token, record))
}

/// Default lifetime of a generated sign-in token.
const GENERATED_TTL_SECONDS: i64 = 120;

/// `POST /signin/generate-token` input.
#[derive(Debug, Clone, Default)]
pub struct GenerateTokenInput {
    pub user_id: Option<String>,
    pub time_to_live: Option<i64>,
    pub purpose: Option<String>,
    pub rp_id: Option<String>,
    pub origin: Option<String>,
}

/// Members of a verify token that no ceremony filled: `""` rather than null, because the
/// Python SDK's schema refuses null in them (upstream sends null, which that SDK cannot read).
pub fn unset() -> String {
    String::new()
}

/// `POST /signin/generate-token`: a verify token for a user the backend vouches for (no
/// ceremony; the user need not exist). Off when the app disabled the endpoint.
pub async fn generate(
    svc: &Service,
    caller: &Caller,
    input: GenerateTokenInput,
) -> Result<String, DomainError> {
    use super::validate::{self, Errors};
    let mut errors = Errors::default();
    validate::user_id(&mut errors, input.user_id.as_deref());
    let ttl = validate::time_to_live(&mut errors, input.time_to_live, GENERATED_TTL_SECONDS);
    let purpose = input.purpose.filter(|p| !p.is_empty());
    validate::purpose(&mut errors, purpose.as_deref());
    let bounded = |field: &str, value: &Option<String>, errors: &mut Errors| {
        if value.as_ref().is_some_and(|v| v.len() > crate::rp::MAX_RP_FIELD_BYTES) {
            errors.add(field, format!("At most {} bytes.", crate::rp::MAX_RP_FIELD_BYTES));
        }
    };
    bounded("RPID", &input.rp_id, &mut errors);
    bounded("Origin", &input.origin, &mut errors);
    errors.into_result()?;
    let app = svc.app(&caller.app_id).await?;
    if !app.features.generate_signin_token_enabled {
        return Err(DomainError::Forbidden {
            code: None,
            title: "The 'POST /signin/generate-token' endpoint is disabled".into(),
        });
    }
    let proof = Proof {
        user_id: input.user_id.unwrap_or_default(),
        kind: "generated_signin",
        rp_id: input.rp_id.unwrap_or_else(unset),
        origin: input.origin.unwrap_or_else(unset),
        device: unset(),
        country: unset(),
        nickname: None,
        credential_id: vec![],
        purpose: Some(purpose.unwrap_or_else(|| "sign-in".into())),
        ttl: Duration::seconds(ttl),
    };
    let user_id = proof.user_id.clone();
    let (token, record) = mint(svc, &caller.app_id, proof)?;
    let event = super::audit::event(
        svc,
        caller,
        EventKind::ApiUserSigninTokenCreated,
        &user_id,
        format!("Created sign-in token for {user_id}"),
    );
    svc.store.put_token_with_events(&record, &[event]).await?;
    tracing::info!(app_id = %caller.app_id, "sign-in token generated");
    Ok(token)
}

/// `POST /signin/verify`: redeems a verify token once.
pub async fn verify(
    svc: &Service,
    caller: &Caller,
    token: Option<&str>,
) -> Result<VerifiedToken, DomainError> {
    let record = tokens::consume(
        svc.store.as_ref(),
        &caller.app_id,
        TokenKind::Verify,
        token,
        svc.clock.now(),
    )
    .await?;
    tracing::info!(app_id = %caller.app_id, "sign-in verified");
    let verified: VerifiedToken = serde_json::from_str(&record.payload)
        .map_err(|e| DomainError::Internal(format!("verify token decode: {e}")))?;
    let user = &verified.user_id;
    let event = super::audit::event(
        svc,
        caller,
        EventKind::ApiUserSignInVerified,
        user,
        format!("Verified {} token for {user}", verified.kind),
    );
    super::audit::record(svc, vec![event]).await;
    Ok(verified)
}
