//! Registration: `/register/token` (backend), `/register/begin` and `/register/complete`
//! (browser).

use super::audit;
use super::session::{self, Session};
use super::users::alias_records;
use super::validate::{self, Errors};
use super::verify::{self, Proof};
use crate::error::DomainError;
use crate::events::{Ceremony, EventKind, Stage};
use crate::keys::Caller;
use crate::model::{AliasRecord, StoredCredential, TokenKind, TokenRecord};
use crate::ports::{
    CONFLICT_ALIAS, CONFLICT_USER_FULL, MAX_CREDENTIALS_PER_USER, RegistrationCommit,
};
use crate::rp::{self, RelyingParty};
use crate::service::{ClientInfo, Service};
use crate::webauthn::{
    self, Attachment, Attestation, AuthDataInfo, Hint, RegistrationRequest, UserVerification,
};
use crate::{device, tokens};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use webauthn_rs_core::proto::{Credential, RegisterPublicKeyCredential, RegistrationState};

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

/// `POST /register/complete` input.
pub struct RegisterCompleteInput {
    pub session: Option<String>,
    pub rp_id: Option<String>,
    pub origin: Option<String>,
    pub nickname: Option<String>,
    pub credential: RegisterPublicKeyCredential,
    /// `clientExtensionResults.credProps.rk`, when the client reported it.
    pub discoverable: Option<bool>,
}

/// The user already holds the most passkeys one user may have.
fn user_full() -> DomainError {
    DomainError::bad_request(
        "max_credentials_reached",
        format!(
            "This user already has {MAX_CREDENTIALS_PER_USER} passkeys, the most one user may have. Delete one before registering another."
        ),
    )
}

fn invalid_registration(title: impl Into<String>) -> DomainError {
    DomainError::bad_request("fido2_invalid_registration", title)
}

/// `POST /register/complete`: verifies the attestation, stores the passkey, issues a verify token.
pub async fn complete(
    svc: &Service,
    caller: &Caller,
    input: RegisterCompleteInput,
    client: &ClientInfo,
) -> Result<String, DomainError> {
    if input.nickname.as_deref().is_some_and(|n| n.chars().count() > MAX_NICKNAME_CHARS) {
        return Err(DomainError::invalid_field(
            "nickname",
            "Nickname cannot be longer than 64 characters.",
        ));
    }
    rp::validate(input.rp_id.as_deref(), input.origin.as_deref())?;
    let app_id = &caller.app_id;
    let (record, session) = session::load(svc, app_id, input.session.as_deref()).await?;
    let Session::Register { state, rp_id, user_id, aliases } = session else {
        return Err(session::wrong_ceremony());
    };
    let began_at = session::began_at(&record);
    let result =
        finish(svc, caller, input, client, &record, began_at, (state, rp_id, user_id, aliases))
            .await;
    if let Err(e) = &result
        && !session::already_used(e)
    {
        audit::ceremony_failed(svc, caller, Ceremony::Register, &record, began_at, client, e).await;
    }
    result
}

/// The registration session's contents.
type RegisterSession = (RegistrationState, String, String, Option<Vec<AliasRecord>>);

/// Everything of a completion after its session was read.
async fn finish(
    svc: &Service,
    caller: &Caller,
    input: RegisterCompleteInput,
    client: &ClientInfo,
    record: &TokenRecord,
    began_at: DateTime<Utc>,
    (state, rp_id, user_id, aliases): RegisterSession,
) -> Result<String, DomainError> {
    let rp = rp::validate(input.rp_id.as_deref(), input.origin.as_deref())?;
    let app_id = &caller.app_id;
    let session_hash = record.token_hash.clone();
    let checked = verify_registration(&rp, &rp_id, &state, &input.credential);
    let (verified, info) = match checked {
        Ok(ok) => ok,
        Err(e) => {
            session::discard(svc, app_id, &session_hash).await;
            return Err(e);
        }
    };
    let (user_verified, registration_policy) = webauthn::credential::registration_facts(&verified);
    let now = svc.clock.now();
    let credential = StoredCredential {
        app_id: app_id.clone(),
        credential_id: verified.cred_id.clone(),
        user_handle: user_id.as_bytes().to_vec(),
        user_id: user_id.clone(),
        public_key: info.public_key,
        signature_counter: verified.counter,
        attestation_fmt: info.format,
        aaguid: Some(uuid::Uuid::from_bytes(info.aaguid).to_string()),
        transports: input.credential.response.transports.as_ref().map(|ts| {
            ts.iter()
                .filter_map(|t| serde_json::to_value(t).ok()?.as_str().map(String::from))
                .collect()
        }),
        created_at: now,
        last_used_at: now,
        rp_id: rp.rp_id.clone(),
        origin: rp.origin.clone(),
        country: client.country.clone(),
        device: device::describe(client.user_agent.as_deref()),
        nickname: input.nickname.clone(),
        backup_state: info.backup_state,
        backup_eligible: info.backup_eligible,
        discoverable: input.discoverable,
        format: webauthn::credential::CURRENT_FORMAT,
        user_verified,
        registration_policy: Some(registration_policy),
        webauthn: String::new(),
    };
    let proof = Proof {
        user_id,
        kind: "passkey_register",
        rp_id: rp.rp_id,
        origin: rp.origin,
        device: credential.device.clone(),
        country: credential.country.clone(),
        nickname: credential.nickname.clone(),
        credential_id: credential.credential_id.clone(),
        purpose: None,
        ttl: Duration::seconds(DEFAULT_TTL_SECONDS),
    };
    let (token, verify_token) = verify::mint(svc, app_id, proof)?;
    let mut facts = audit::facts(Ceremony::Register, Stage::Complete, &session_hash, client);
    facts.duration_ms = Some(audit::duration_ms(began_at, now));
    facts.aaguid = credential.aaguid.clone();
    facts.backup_eligible = Some(credential.backup_eligible);
    facts.backup_state = Some(credential.backup_state);
    let event = audit::event(
        svc,
        caller,
        EventKind::ApiAuthPasskeyRegistrationCompleted,
        &credential.user_id,
        format!("Passkey registered for {}", credential.user_id),
    )
    .by(credential.user_id.clone())
    .with_ceremony(facts);
    let commit = RegistrationCommit {
        session_hash: session_hash.clone(),
        credential,
        aliases,
        verify_token,
        events: vec![event],
    };
    let committed = svc.store.commit_registration(&commit).await;
    session::settle(svc, app_id, &session_hash, committed, |what| {
        if what == CONFLICT_ALIAS {
            DomainError::AliasConflict
        } else if what == CONFLICT_USER_FULL {
            user_full()
        } else {
            invalid_registration("This passkey is already registered.")
        }
    })
    .await?;
    tracing::info!(app_id = %app_id, "passkey registered");
    Ok(token)
}

/// The checks of a registration response that need no storage.
fn verify_registration(
    rp: &RelyingParty,
    session_rp_id: &str,
    state: &RegistrationState,
    credential: &RegisterPublicKeyCredential,
) -> Result<(Credential, AuthDataInfo), DomainError> {
    if rp.rp_id != session_rp_id {
        return Err(invalid_registration(format!(
            "The RPID '{}' does not match the RPID '{session_rp_id}' the registration began with.",
            rp.rp_id
        )));
    }
    let verified =
        webauthn::finish_registration(rp, state, credential).map_err(invalid_registration)?;
    let info = webauthn::parse_attestation_object(&credential.response.attestation_object)
        .ok_or_else(|| invalid_registration("The attestation object has no credential data."))?;
    Ok((verified, info))
}
