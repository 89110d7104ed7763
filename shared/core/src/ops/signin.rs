//! Sign-in: `/signin/begin` and `/signin/complete` (browser). `/signin/verify` is in
//! [`super::verify`].

use super::session::{self, Session};
use super::validate::{self, Errors};
use super::verify::{self, Proof};
use crate::error::DomainError;
use crate::keys::Caller;
use crate::ports::CredentialUse;
use crate::rp;
use crate::service::{ClientInfo, Service};
use crate::webauthn::{self, Hint, UserVerification};
use crate::{StoreError, device};
use chrono::Duration;
use webauthn_rs_core::proto::{Credential, PublicKeyCredential};

/// An authentication configuration: what a sign-in `purpose` asks for.
struct Purpose {
    name: &'static str,
    user_verification: UserVerification,
    ttl_seconds: i64,
    hints: Vec<Hint>,
}

/// The presets `sign-in` and `step-up`; any other purpose falls back to `sign-in`, as upstream
/// does for purposes without a stored configuration (configurations come with the auth-config
/// endpoints).
fn purpose(requested: Option<&str>) -> Purpose {
    let name = match requested {
        Some("step-up") => "step-up",
        _ => "sign-in",
    };
    Purpose {
        name,
        user_verification: UserVerification::Preferred,
        ttl_seconds: 120,
        hints: vec![],
    }
}

/// `POST /signin/begin` input.
#[derive(Debug, Clone, Default)]
pub struct SigninBeginInput {
    pub user_id: Option<String>,
    pub alias: Option<String>,
    pub purpose: Option<String>,
    pub rp_id: Option<String>,
    pub origin: Option<String>,
}

fn webauthn_credential(stored: &crate::model::StoredCredential) -> Result<Credential, DomainError> {
    let mut cred: Credential = serde_json::from_str(&stored.webauthn)
        .map_err(|e| DomainError::Internal(format!("credential decode: {e}")))?;
    // The stored columns are the source of truth for what changes at each sign-in.
    cred.counter = stored.signature_counter;
    cred.backup_state = stored.backup_state;
    cred.backup_eligible = stored.backup_eligible;
    Ok(cred)
}

/// `POST /signin/begin`: request options (allowCredentials from userId or alias, or empty for
/// discoverable sign-in) and a session.
pub async fn begin(
    svc: &Service,
    caller: &Caller,
    input: SigninBeginInput,
) -> Result<(serde_json::Value, String), DomainError> {
    let rp = rp::validate(input.rp_id.as_deref(), input.origin.as_deref())?;
    let mut errors = Errors::default();
    let user_id = input.user_id.filter(|u| !u.is_empty());
    validate::optional_user_id(&mut errors, user_id.as_deref());
    errors.into_result()?;
    let app_id = &caller.app_id;
    let owner = match (&user_id, input.alias.as_deref().filter(|a| !a.is_empty())) {
        (Some(user_id), _) => Some(user_id.clone()),
        (None, Some(alias)) => {
            let hash = validate::alias_hash(app_id, alias);
            let owners = svc.store.alias_owners(app_id, &[hash]).await?;
            // An unknown alias is not an error: it must not reveal which aliases exist.
            Some(
                owners
                    .into_iter()
                    .next()
                    .map(|o| o.user_id)
                    .unwrap_or_default(),
            )
        }
        (None, None) => None,
    };
    let credentials = match owner.as_deref() {
        Some("") | None => vec![],
        Some(user) => svc
            .store
            .list_credentials(app_id, user)
            .await?
            .iter()
            .map(webauthn_credential)
            .collect::<Result<Vec<_>, _>>()?,
    };
    let allowed: Vec<Vec<u8>> = credentials.iter().map(|c| c.cred_id.clone()).collect();
    // Named a user who has no passkeys: an empty list would turn this into a discoverable
    // sign-in for anyone, so the session remembers that only these (no) credentials may answer.
    let restricted = owner.is_some();
    let purpose = purpose(input.purpose.as_deref().filter(|p| !p.is_empty()));
    let (options, state) = webauthn::begin_authentication(
        &rp,
        credentials,
        purpose.user_verification,
        &purpose.hints,
    )?;
    let session = Session::Signin {
        state,
        rp_id: rp.rp_id,
        purpose: purpose.name.to_string(),
        ttl_seconds: purpose.ttl_seconds,
        allowed,
        restricted,
    };
    let session = session::open(svc, app_id, &session).await?;
    Ok((options, session))
}

/// `POST /signin/complete` input.
pub struct SigninCompleteInput {
    pub session: Option<String>,
    pub rp_id: Option<String>,
    pub origin: Option<String>,
    pub assertion: PublicKeyCredential,
}

fn signin_error(title: impl Into<String>) -> DomainError {
    DomainError::bad_request("signin_complete_error", title)
}

/// `POST /signin/complete`: verifies the assertion, records the use, issues a verify token.
pub async fn complete(
    svc: &Service,
    caller: &Caller,
    input: SigninCompleteInput,
    client: &ClientInfo,
) -> Result<String, DomainError> {
    let rp = rp::validate(input.rp_id.as_deref(), input.origin.as_deref())?;
    let app_id = &caller.app_id;
    let Session::Signin {
        state,
        rp_id,
        purpose,
        ttl_seconds,
        allowed,
        restricted,
    } = session::take(svc, app_id, input.session.as_deref()).await?
    else {
        return Err(session::wrong_ceremony());
    };
    if rp.rp_id != rp_id {
        return Err(signin_error(format!(
            "The RPID '{}' does not match the RPID '{rp_id}' the sign-in began with.",
            rp.rp_id
        )));
    }
    let assertion = &input.assertion;
    let Some(stored) = svc.store.get_credential(app_id, &assertion.raw_id).await? else {
        return Err(DomainError::UnknownCredential {
            credential_id: assertion.id.clone(),
        });
    };
    if restricted && !allowed.contains(&stored.credential_id) {
        return Err(signin_error(
            "This passkey is not one the sign-in was started for.",
        ));
    }
    if let Some(handle) = &assertion.response.user_handle
        && *handle != stored.user_handle
    {
        return Err(signin_error(
            "The user handle does not match the passkey's user.",
        ));
    }
    let credential = webauthn_credential(&stored)?;
    let result = webauthn::finish_authentication(&rp, &state, assertion, &credential)
        .map_err(signin_error)?;
    let country = client.country.clone();
    let device = device::describe(client.user_agent.as_deref());
    let change = CredentialUse {
        expected_counter: stored.signature_counter,
        new_counter: result.counter().max(stored.signature_counter),
        backup_state: result.backup_state(),
        backup_eligible: result.backup_eligible(),
        last_used_at: svc.clock.now(),
        country: country.clone(),
        device: device.clone(),
    };
    match svc
        .store
        .record_credential_use(app_id, &stored.credential_id, &change)
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(signin_error(
                "The passkey was used by another sign-in at the same moment; try again.",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(app_id = %app_id, purpose = %purpose, "sign-in completed");
    let proof = Proof {
        user_id: stored.user_id,
        kind: "passkey_signin",
        rp_id: rp.rp_id,
        origin: rp.origin,
        device,
        country,
        nickname: stored.nickname,
        credential_id: stored.credential_id,
        purpose: Some(purpose),
        ttl: Duration::seconds(ttl_seconds),
    };
    verify::issue(svc, app_id, proof).await
}
