//! Ceremony sessions: the server-side state between begin and complete, behind a single-use
//! `session_` token that expires with the WebAuthn timeout plus a margin.

use crate::StoreError;
use crate::error::DomainError;
use crate::events::Event;
use crate::model::{AliasRecord, TokenKind, TokenRecord};
use crate::ports::CONFLICT_SESSION;
use crate::service::Service;
use crate::tokens;
use crate::webauthn::TIMEOUT_MS;
use crate::webauthn::proto::{AuthenticationState, RegistrationState};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Margin past the browser timeout before a session stops being accepted: covers the network
/// round trip and clock skew, while keeping the window in which a challenge is live short.
const SESSION_MARGIN_SECONDS: i64 = 30;

/// What a session remembers.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "ceremony", rename_all = "lowercase")]
pub enum Session {
    Register {
        state: RegistrationState,
        rp_id: String,
        user_id: String,
        aliases: Option<Vec<AliasRecord>>,
    },
    Signin {
        state: AuthenticationState,
        rp_id: String,
        purpose: String,
        ttl_seconds: i64,
        /// Credential ids the sign-in was restricted to; empty for discoverable sign-in.
        allowed: Vec<Vec<u8>>,
        /// The sign-in named a user (by id or alias): only `allowed` may answer.
        restricted: bool,
        /// Record the configuration's use when the sign-in completes.
        #[serde(default)]
        touch: bool,
    },
}

/// How long a ceremony session lives: after this a begun ceremony without a complete is
/// incomplete (the aggregation job counts it so).
pub fn lifetime() -> Duration {
    Duration::milliseconds(i64::from(TIMEOUT_MS)) + Duration::seconds(SESSION_MARGIN_SECONDS)
}

/// When the ceremony of a session began (sessions live a fixed time).
pub fn began_at(record: &TokenRecord) -> DateTime<Utc> {
    record.expires_at - lifetime()
}

/// Stores the session with the begin's event (one write) and returns its token. The event's
/// ceremony id is set here, from the session's hash.
pub async fn open(
    svc: &Service,
    app_id: &str,
    session: &Session,
    mut begin: Event,
) -> Result<String, DomainError> {
    let payload = serde_json::to_string(session)
        .map_err(|e| DomainError::Internal(format!("session encode: {e}")))?;
    let (token, hash) = tokens::mint(TokenKind::Session);
    if let Some(facts) = begin.ceremony.as_mut() {
        facts.ceremony_id = crate::events::ceremony_id(&hash);
    }
    let record = TokenRecord {
        token_hash: hash,
        app_id: app_id.to_string(),
        kind: TokenKind::Session,
        expires_at: svc.clock.now() + lifetime(),
        payload,
    };
    svc.store.put_token_with_events(&record, &[begin]).await?;
    Ok(token)
}

/// Decodes a session record that [`tokens::accept`] let through.
pub fn decode(record: &TokenRecord) -> Result<Session, DomainError> {
    serde_json::from_str(&record.payload)
        .map_err(|e| DomainError::Internal(format!("session decode: {e}")))
}

/// Reads (without consuming) a session; the completion consumes it atomically with its writes.
pub async fn load(
    svc: &Service,
    app_id: &str,
    token: Option<&str>,
) -> Result<(TokenRecord, Session), DomainError> {
    let record =
        tokens::read(svc.store.as_ref(), app_id, TokenKind::Session, token, svc.clock.now())
            .await?;
    let session = decode(&record)?;
    Ok((record, session))
}

/// Consumes a session whose ceremony failed, so a challenge is never answered twice. Failures
/// to delete are logged, not surfaced: the session expires anyway.
pub async fn discard(svc: &Service, app_id: &str, session_hash: &str) {
    if let Err(e) = svc.store.take_token(app_id, session_hash).await {
        tracing::warn!(error = %e, "could not discard a failed session");
    }
}

/// Settles a completion's atomic commit. A session that vanished between read and commit was
/// used by a concurrent completion: "invalid token", and it is gone anyway. Any other conflict
/// fails this ceremony: its session is discarded and `conflict` names the error.
pub async fn settle(
    svc: &Service,
    app_id: &str,
    session_hash: &str,
    committed: Result<(), StoreError>,
    conflict: impl FnOnce(&str) -> DomainError,
) -> Result<(), DomainError> {
    match committed {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(what)) if what == CONFLICT_SESSION => Err(tokens::already_used()),
        Err(StoreError::Conflict(what)) => {
            discard(svc, app_id, session_hash).await;
            Err(conflict(&what))
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether `error` says the session was used up by a concurrent completion (that ceremony
/// succeeded; this attempt is no ceremony of its own).
pub fn already_used(error: &DomainError) -> bool {
    matches!(error, DomainError::BadRequest { code: Some("invalid_token"), .. })
}

/// The session token did not come from the ceremony the endpoint completes.
pub fn wrong_ceremony() -> DomainError {
    DomainError::bad_request(
        "invalid_token",
        "The session you supplied belongs to a different ceremony.",
    )
}
