//! `/register/complete`: verifies the attestation, stores the passkey, issues a verify token.

use super::super::session::{self, Session};
use super::super::verify::{self, Proof};
use super::super::{audit, mau};
use crate::device;
use crate::error::DomainError;
use crate::events::{Ceremony, EventKind, Stage};
use crate::keys::Caller;
use crate::model::{AliasRecord, StoredCredential, TokenRecord};
use crate::ports::{CONFLICT_ALIAS, CONFLICT_USER_FULL, RegistrationCommit};
use crate::rp::{self, RelyingParty};
use crate::service::{ClientInfo, Service};
use crate::webauthn::proto::{Credential, RegisterPublicKeyCredential, RegistrationState};
use crate::webauthn::{self, AuthDataInfo};
use chrono::{DateTime, Duration, Utc};

use super::{DEFAULT_TTL_SECONDS, MAX_NICKNAME_CHARS, user_full};

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
        credential_id: verified.cred_id.to_vec(),
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
    let active_user = credential.user_id.clone();
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
    mau::record(svc, app_id, &active_user, now).await;
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
