//! Sign-in: `/signin/begin` and `/signin/complete` (browser). `/signin/verify` is in
//! [`super::verify`].

use super::session::{self, Session};
use super::validate::{self, Errors};
use super::verify::{self, Proof};
use super::{audit, auth_configs, mau};
use crate::error::DomainError;
use crate::events::{Ceremony, EventKind, Stage};
use crate::keys::Caller;
use crate::model::{StoredCredential, TokenKind};
use crate::ports::{CredentialUse, SigninCommit};
use crate::rp::{self, RelyingParty};
use crate::service::{ClientInfo, Service};
use crate::webauthn;
use crate::webauthn::proto::{
    AuthenticationResult, AuthenticationState, Credential, PublicKeyCredential,
};
use crate::{device, tokens};
use chrono::Duration;

/// `POST /signin/begin` input.
#[derive(Debug, Clone, Default)]
pub struct SigninBeginInput {
    pub user_id: Option<String>,
    pub alias: Option<String>,
    pub purpose: Option<String>,
    pub rp_id: Option<String>,
    pub origin: Option<String>,
}

fn webauthn_credential(stored: &StoredCredential) -> Result<Credential, DomainError> {
    webauthn::credential::credential(stored).map_err(DomainError::Internal)
}

/// `POST /signin/begin`: request options (allowCredentials from userId or alias, or empty for
/// discoverable sign-in) and a session.
pub async fn begin(
    svc: &Service,
    caller: &Caller,
    input: SigninBeginInput,
    client: &ClientInfo,
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
            Some(owners.into_iter().next().map(|o| o.user_id).unwrap_or_default())
        }
        (None, None) => None,
    };
    let allowed = match owner.as_deref() {
        Some("") | None => vec![],
        Some(user) => svc.store.list_credential_ids(app_id, user).await?,
    };
    // Named a user who has no passkeys: an empty list would turn this into a discoverable
    // sign-in for anyone, so the session remembers that only these (no) credentials may answer.
    let restricted = owner.is_some();
    let config = auth_configs::resolve(svc, app_id, input.purpose.as_deref()).await?;
    let (options, state) =
        webauthn::begin_authentication(&rp, &allowed, config.user_verification, &config.hints)?;
    let session = Session::Signin {
        state,
        rp_id: rp.rp_id,
        touch: auth_configs::needs_touch(&config, svc.clock.now()),
        purpose: config.purpose.clone(),
        ttl_seconds: config.ttl_seconds,
        allowed,
        restricted,
    };
    let mut facts = audit::facts(Ceremony::Signin, Stage::Begin, "", client);
    facts.purpose = Some(config.purpose.clone());
    let subject = owner.unwrap_or_default();
    let event = audit::event(svc, caller, EventKind::ApiUserSignInBegan, &subject, "Sign-in began")
        .by("Browser")
        .with_ceremony(facts);
    let session = session::open(svc, app_id, &session, event).await?;
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
    let session_hash = tokens::parse(TokenKind::Session, input.session.as_deref())?;
    let assertion = &input.assertion;
    let (record, stored) = svc.store.load_signin(app_id, &session_hash, &assertion.raw_id).await?;
    let record = tokens::accept(record, TokenKind::Session, svc.clock.now())?;
    let Session::Signin { state, rp_id, purpose, ttl_seconds, allowed, restricted, touch } =
        session::decode(&record)?
    else {
        return Err(session::wrong_ceremony());
    };
    let began_at = session::began_at(&record);
    let result = async {
        let checked = match stored {
            None => Err(DomainError::UnknownCredential { credential_id: assertion.id.clone() }),
            Some(stored) => {
                let expected = Expected { rp_id: &rp_id, allowed: &allowed, restricted };
                verify_assertion(&rp, &expected, &state, assertion, &stored).map(|r| (stored, r))
            }
        };
        let (stored, result) = match checked {
            Ok(ok) => ok,
            Err(e) => {
                session::discard(svc, app_id, &session_hash).await;
                return Err(e);
            }
        };
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
        let proof_user = stored.user_id.clone();
        let counted = mau::counted_by(stored.last_used_at, change.last_used_at);
        let proof = Proof {
            user_id: stored.user_id,
            kind: "passkey_signin",
            rp_id: rp.rp_id,
            origin: rp.origin,
            device,
            country,
            nickname: stored.nickname,
            credential_id: stored.credential_id.clone(),
            purpose: Some(purpose.clone()),
            ttl: Duration::seconds(ttl_seconds),
        };
        let (token, verify_token) = verify::mint(svc, app_id, proof)?;
        let mut facts = audit::facts(Ceremony::Signin, Stage::Complete, &session_hash, client);
        facts.duration_ms = Some(audit::duration_ms(began_at, svc.clock.now()));
        facts.aaguid = stored.aaguid.clone();
        facts.backup_eligible = Some(change.backup_eligible);
        facts.backup_state = Some(change.backup_state);
        facts.purpose = Some(purpose.clone());
        let event = audit::event(
            svc,
            caller,
            EventKind::ApiUserSignInCompleted,
            &proof_user,
            format!("User {proof_user} signed in"),
        )
        .by(proof_user.clone())
        .with_ceremony(facts);
        let commit = SigninCommit {
            app_id: app_id.clone(),
            session_hash: session_hash.clone(),
            credential_id: stored.credential_id,
            user_id: proof_user,
            change,
            verify_token,
            events: vec![event],
        };
        let committed = svc.store.commit_signin(&commit).await;
        session::settle(svc, app_id, &session_hash, committed, |_| {
            signin_error("The passkey was used by another sign-in at the same moment; try again.")
        })
        .await?;
        if !counted {
            mau::record(svc, app_id, &commit.user_id, commit.change.last_used_at).await;
        }
        Ok(token)
    }
    .await;
    match &result {
        Ok(_) => {
            if touch {
                auth_configs::touch(svc, app_id, &purpose, svc.clock.now()).await;
            }
            tracing::info!(app_id = %app_id, purpose = %purpose, "sign-in completed");
        }
        Err(e) if !session::already_used(e) => {
            audit::ceremony_failed(svc, caller, Ceremony::Signin, &record, began_at, client, e)
                .await;
        }
        Err(_) => {}
    }
    result
}

/// What the session says the answer must match.
struct Expected<'a> {
    rp_id: &'a str,
    allowed: &'a [Vec<u8>],
    restricted: bool,
}

/// The checks of an assertion that need no storage beyond the stored credential.
fn verify_assertion(
    rp: &RelyingParty,
    expected: &Expected<'_>,
    state: &AuthenticationState,
    assertion: &PublicKeyCredential,
    stored: &StoredCredential,
) -> Result<AuthenticationResult, DomainError> {
    if rp.rp_id != expected.rp_id {
        return Err(signin_error(format!(
            "The RPID '{}' does not match the RPID '{}' the sign-in began with.",
            rp.rp_id, expected.rp_id
        )));
    }
    if expected.restricted && !expected.allowed.contains(&stored.credential_id) {
        return Err(signin_error("This passkey is not one the sign-in was started for."));
    }
    if let Some(handle) = &assertion.response.user_handle
        && *handle != stored.user_handle
    {
        return Err(signin_error("The user handle does not match the passkey's user."));
    }
    let credential = webauthn_credential(stored)?;
    webauthn::finish_authentication(rp, state, assertion, &credential).map_err(signin_error)
}
