//! Verify tokens: what a completed ceremony proves, redeemed once by the app backend at
//! `/signin/verify` (single-use, unlike upstream: a leaked token cannot be replayed).

use crate::error::DomainError;
use crate::keys::Caller;
use crate::model::{TokenKind, TokenRecord};
use crate::service::Service;
use crate::tokens;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

/// The `/signin/verify` response body (contract §3.2), stored as the token's payload.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
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
    serde_json::from_str(&record.payload)
        .map_err(|e| DomainError::Internal(format!("verify token decode: {e}")))
}
