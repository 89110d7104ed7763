//! Registration: `/register/token` (backend) and `/register/begin` (browser) here,
//! `/register/complete` in [`complete`].

use super::audit;
use super::session::{self, Session};
use super::users::alias_records;
use super::validate::{self, Errors};
use crate::error::DomainError;
use crate::events::{Ceremony, EventKind, Stage};
use crate::keys::Caller;
use crate::model::{AliasRecord, TokenKind, TokenRecord};
use crate::ports::MAX_CREDENTIALS_PER_USER;
use crate::rp::{self};
use crate::service::{ClientInfo, Service};
use crate::tokens;
use crate::webauthn::{self, Attachment, Attestation, Hint, RegistrationRequest, UserVerification};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Default lifetime of register tokens and of the verify token a registration yields.
const DEFAULT_TTL_SECONDS: i64 = 120;
const MAX_HINTS: usize = 3;
const MAX_NICKNAME_CHARS: usize = 64;
/// Longest username or display name: authenticators show (and may cut) far less.
const MAX_NAME_CHARS: usize = 256;
/// Longest option string (`authenticatorType` and friends); the valid ones are far shorter.
const MAX_OPTION_CHARS: usize = 32;

/// `POST /register/token` input.
#[derive(Debug, Clone, Default)]
pub struct RegisterTokenInput {
    pub user_id: Option<String>,
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub attestation: Option<String>,
    pub authenticator_type: Option<String>,
    pub discoverable: Option<bool>,
    pub user_verification: Option<String>,
    pub aliases: Option<Vec<String>>,
    pub alias_hashing: Option<bool>,
    pub hints: Option<Vec<String>>,
    pub expires_at: Option<DateTime<Utc>>,
}

/// What a register token remembers until `/register/begin`.
#[derive(Debug, Serialize, Deserialize)]
struct RegisterPayload {
    user_id: String,
    username: String,
    display_name: String,
    attestation: Attestation,
    authenticator_type: Option<String>,
    discoverable: bool,
    user_verification: Option<String>,
    aliases: Option<Vec<AliasRecord>>,
    hints: Vec<Hint>,
}

/// `POST /register/token`: validates the request and issues a reusable register token.
pub async fn token(
    svc: &Service,
    caller: &Caller,
    input: RegisterTokenInput,
) -> Result<String, DomainError> {
    let mut errors = Errors::default();
    validate::user_id(&mut errors, input.user_id.as_deref());
    if input.username.as_deref().unwrap_or_default().is_empty() {
        errors.add("username", "The Username field is required.");
    }
    for (field, value) in [("username", &input.username), ("displayName", &input.display_name)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > MAX_NAME_CHARS) {
            errors.add(field, format!("At most {MAX_NAME_CHARS} characters."));
        }
    }
    // Parsed at /register/begin (as upstream does), but kept in the token: bounded now.
    for (field, value) in [
        ("attestation", &input.attestation),
        ("authenticatorType", &input.authenticator_type),
        ("userVerification", &input.user_verification),
    ] {
        if value.as_ref().is_some_and(|v| v.chars().count() > MAX_OPTION_CHARS) {
            errors.add(field, format!("At most {MAX_OPTION_CHARS} characters."));
        }
    }
    let aliases = input.aliases.unwrap_or_default();
    validate::aliases(&mut errors, "aliases", &aliases);
    let hint_names = input.hints.unwrap_or_default();
    if hint_names.len() > MAX_HINTS {
        errors.add("hints", format!("At most {MAX_HINTS} hints are allowed."));
    }
    let mut hints = Vec::new();
    for name in &hint_names {
        match Hint::parse(name) {
            Some(h) => hints.push(h),
            None => errors.add(
                "hints",
                format!(
                    "'{}' is not a hint: use security-key, client-device or hybrid.",
                    name.chars().take(40).collect::<String>()
                ),
            ),
        }
    }
    errors.into_result()?;
    let user_id = input.user_id.unwrap_or_default();
    let username = input.username.unwrap_or_default();

    let attestation = Attestation::parse(input.attestation.as_deref())?;
    if attestation != Attestation::None {
        // Attestation needs the plan feature AllowAttestation, which no plan grants yet.
        return Err(DomainError::bad_request(
            "attestation_not_supported_on_plan",
            "Attestation type not supported on your plan",
        ));
    }

    let alias_records =
        alias_records(&caller.app_id, &aliases, input.alias_hashing.unwrap_or(true));
    if !alias_records.is_empty() {
        let hashes: Vec<String> = alias_records.iter().map(|a| a.alias_hash.clone()).collect();
        let owners = svc.store.alias_owners(&caller.app_id, &hashes).await?;
        if owners.iter().any(|o| o.user_id != user_id) {
            return Err(DomainError::AliasConflict);
        }
    }

    let now = svc.clock.now();
    let expires_at = input.expires_at.unwrap_or(now + Duration::seconds(DEFAULT_TTL_SECONDS));
    let payload = RegisterPayload {
        display_name: input
            .display_name
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| username.clone()),
        user_id,
        username,
        attestation,
        authenticator_type: input.authenticator_type,
        discoverable: input.discoverable.unwrap_or(true),
        user_verification: input.user_verification,
        // A non-empty alias list replaces the user's aliases at completion; an empty or absent
        // one leaves them alone (the Python SDK always sends `"aliases": []`).
        aliases: (!alias_records.is_empty()).then_some(alias_records),
        hints,
    };
    let payload_user = payload.user_id.clone();
    let payload = serde_json::to_string(&payload)
        .map_err(|e| DomainError::Internal(format!("register token encode: {e}")))?;
    let (value, hash) = tokens::mint(TokenKind::Register);
    let record = TokenRecord {
        token_hash: hash,
        app_id: caller.app_id.clone(),
        kind: TokenKind::Register,
        expires_at,
        payload,
    };
    let event = audit::event(
        svc,
        caller,
        EventKind::ApiAuthUserRegistered,
        &payload_user,
        format!("Created registration token for {payload_user}"),
    );
    svc.store.put_token_with_events(&record, &[event]).await?;
    tracing::info!(app_id = %caller.app_id, "register token created");
    Ok(value)
}

/// `POST /register/begin`: creation options and a session.
pub async fn begin(
    svc: &Service,
    caller: &Caller,
    token: Option<&str>,
    rp_id: Option<&str>,
    origin: Option<&str>,
    client: &ClientInfo,
) -> Result<(serde_json::Value, String), DomainError> {
    let rp = rp::validate(rp_id, origin)?;
    let record = tokens::read(
        svc.store.as_ref(),
        &caller.app_id,
        TokenKind::Register,
        token,
        svc.clock.now(),
    )
    .await?;
    let payload: RegisterPayload = serde_json::from_str(&record.payload)
        .map_err(|e| DomainError::Internal(format!("register token decode: {e}")))?;
    let attachment = Attachment::parse(payload.authenticator_type.as_deref())?;
    let user_verification = UserVerification::parse(payload.user_verification.as_deref())?;
    let existing = svc.store.list_credential_ids(&caller.app_id, &payload.user_id).await?;
    if existing.len() >= MAX_CREDENTIALS_PER_USER {
        return Err(user_full());
    }
    let request = RegistrationRequest {
        user_id: &payload.user_id,
        username: &payload.username,
        display_name: &payload.display_name,
        attestation: payload.attestation,
        attachment,
        discoverable: payload.discoverable,
        user_verification,
        hints: &payload.hints,
        exclude: existing,
    };
    let (options, state) = webauthn::begin_registration(&rp, &request)?;
    let facts = audit::facts(Ceremony::Register, Stage::Begin, "", client);
    let event = audit::event(
        svc,
        caller,
        EventKind::ApiAuthPasskeyRegistrationBegan,
        &payload.user_id,
        format!("Passkey registration began for {}", payload.user_id),
    )
    .by(payload.user_id.clone())
    .with_ceremony(facts);
    let session = Session::Register {
        state,
        rp_id: rp.rp_id,
        user_id: payload.user_id,
        aliases: payload.aliases,
    };
    let session = session::open(svc, &caller.app_id, &session, event).await?;
    Ok((options, session))
}

/// The user already holds the most passkeys one user may have.
pub(super) fn user_full() -> DomainError {
    DomainError::bad_request(
        "max_credentials_reached",
        format!(
            "This user already has {MAX_CREDENTIALS_PER_USER} passkeys, the most one user may have. Delete one before registering another."
        ),
    )
}

mod complete;
pub use complete::{RegisterCompleteInput, complete};
