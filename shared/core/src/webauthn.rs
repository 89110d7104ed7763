//! The WebAuthn wrapper: builds options in the wire shape of contract §3.1/§3.2 and verifies
//! responses with webauthn-rs-core. Nothing here hand-rolls a signature or attestation check.
//!
//! We use webauthn-rs-core rather than the high-level webauthn-rs because every request names its
//! own RP ID and origin and the register token picks attestation, resident key, attachment and
//! user verification per user; the high-level API fixes those per instance.
//!
//! Ceremony state: webauthn-rs-core's `RegistrationState` / `AuthenticationState` are serialisable
//! (the high-level crate gates this behind `danger-allow-state-serialisation`). We serialise them
//! into the server-side session record, never to the client: the state holds the challenge, and a
//! client holding it could replay it. The session is single-use and expires, which is what makes
//! storing the state safe.
//!
//! Two lines of webauthn-rs-core sit behind this module, chosen by a cargo feature: 0.5
//! (`openssl`, the default: signatures checked by OpenSSL) and 0.6 (`rustcrypto`). They make
//! the same checks; BENCHMARKS.md holds why the default is what it is. Only this module and
//! its children name the verifier's crate, so the choice changes nothing outside it.

mod authdata;
pub mod credential;
mod options;
pub mod response;

#[cfg(feature = "rustcrypto")]
use webauthn_rs_core as wa;
#[cfg(all(feature = "openssl", not(feature = "rustcrypto")))]
use webauthn_rs_core_openssl as wa;
#[cfg(not(any(feature = "openssl", feature = "rustcrypto")))]
compile_error!("ferrokey-core needs a WebAuthn verifier: feature `openssl` or `rustcrypto`");

/// The verifier's request, response and credential types.
pub use wa::proto;

/// Into the verifier's byte buffers, which are base64url newtypes in 0.5 and plain bytes in 0.6.
fn bytes<T: From<Vec<u8>>>(b: Vec<u8>) -> T {
    b.into()
}

pub use authdata::{AuthDataInfo, parse_attestation_object};
pub use options::{Attachment, Attestation, Hint, UserVerification};

use crate::error::DomainError;
use crate::rp::RelyingParty;
use proto::{
    AuthenticationResult, AuthenticationState, COSEAlgorithm, Credential, PublicKeyCredential,
    RegisterPublicKeyCredential, RegistrationState, RequestRegistrationExtensions,
};
use serde_json::{Value, json};
use std::time::Duration;
use wa::WebauthnCore;

/// The `timeout` sent to browsers, in milliseconds.
pub const TIMEOUT_MS: u32 = 60_000;

fn core(rp: &RelyingParty) -> WebauthnCore {
    // Exactly one allowed origin: the one this request named and `rp::validate` accepted. No
    // subdomain or port wildcarding inside webauthn-rs, so clientData.origin must equal it.
    WebauthnCore::new_unsafe_experts_only(
        &rp.rp_id,
        &rp.rp_id,
        vec![rp.origin_url.clone()],
        Duration::from_millis(u64::from(TIMEOUT_MS)),
        Some(false),
        Some(false),
    )
}

fn b64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What a register token asks of the authenticator.
#[derive(Debug, Clone)]
pub struct RegistrationRequest<'a> {
    pub user_id: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
    pub attestation: Attestation,
    pub attachment: Option<Attachment>,
    pub discoverable: bool,
    pub user_verification: UserVerification,
    pub hints: &'a [Hint],
    pub exclude: Vec<Vec<u8>>,
}

/// Starts a registration: creation options (wire JSON) and the state to keep server-side.
pub fn begin_registration(
    rp: &RelyingParty,
    req: &RegistrationRequest<'_>,
) -> Result<(Value, RegistrationState), DomainError> {
    // The first hint overrides the attachment, as upstream does.
    let attachment = req.hints.first().map(|h| h.attachment()).or(req.attachment);
    let builder = core(rp)
        .new_challenge_register_builder(req.user_id.as_bytes(), req.username, req.display_name)
        .map_err(|e| DomainError::bad_request("invalid_argument", e.to_string()))?
        .attestation(req.attestation.to_proto())
        .user_verification_policy(req.user_verification.to_proto())
        .exclude_credentials(Some(req.exclude.iter().cloned().map(bytes).collect()))
        .extensions(Some(RequestRegistrationExtensions {
            cred_props: Some(true),
            ..Default::default()
        }))
        .credential_algorithms(algorithms())
        .require_resident_key(req.discoverable)
        .authenticator_attachment(attachment.map(Attachment::to_proto));
    let (ccr, state) = core(rp)
        .generate_challenge_register(builder)
        .map_err(|e| DomainError::Internal(format!("registration challenge: {e}")))?;
    let mut selection = json!({
        "residentKey": if req.discoverable { "required" } else { "discouraged" },
        "requireResidentKey": req.discoverable,
        "userVerification": req.user_verification.as_str(),
    });
    if let (Some(a), Some(obj)) = (attachment, selection.as_object_mut()) {
        obj.insert("authenticatorAttachment".into(), json!(a.as_str()));
    }
    let options = json!({
        "rp": {"id": rp.rp_id, "name": rp.rp_id},
        "user": {"name": req.username, "id": b64url(req.user_id.as_bytes()), "displayName": req.display_name},
        "challenge": b64url(ccr.public_key.challenge.as_ref()),
        "pubKeyCredParams": algorithms().iter().map(|a| json!({"type": "public-key", "alg": *a as i64})).collect::<Vec<_>>(),
        "timeout": TIMEOUT_MS,
        "attestation": req.attestation.as_str(),
        "attestationFormats": [],
        "authenticatorSelection": selection,
        "hints": req.hints.iter().map(|h| h.as_str()).collect::<Vec<_>>(),
        "excludeCredentials": req.exclude.iter().map(|id| json!({"type": "public-key", "id": b64url(id)})).collect::<Vec<_>>(),
        "extensions": {"credProps": true},
    });
    Ok((options, state))
}

/// The algorithms we advertise: exactly those webauthn-rs verifies (ES256, ES384, RS256), so no
/// authenticator can create a key we could not check at sign-in.
fn algorithms() -> Vec<COSEAlgorithm> {
    COSEAlgorithm::secure_algs()
}

/// Verifies a registration response against its state. The error is the verifier's message.
pub fn finish_registration(
    rp: &RelyingParty,
    state: &RegistrationState,
    response: &RegisterPublicKeyCredential,
) -> Result<Credential, String> {
    core(rp).register_credential(response, state, None).map_err(|e| e.to_string())
}

/// Starts a sign-in. An empty `allow` list is a discoverable (username-less) sign-in.
///
/// The state is built without the credentials themselves: the completion verifies against the
/// one stored credential that answered (`authenticate_single_credential` ignores the state's
/// list), and the session keeps the allowed ids. That keeps sessions small and lets begin read
/// only credential ids.
pub fn begin_authentication(
    rp: &RelyingParty,
    allow: &[Vec<u8>],
    user_verification: UserVerification,
    hints: &[Hint],
) -> Result<(Value, AuthenticationState), DomainError> {
    let allow: Vec<Value> =
        allow.iter().map(|id| json!({"type": "public-key", "id": b64url(id)})).collect();
    let webauthn = core(rp);
    let builder = webauthn
        .new_challenge_authenticate_builder(vec![], Some(user_verification.to_proto()))
        .map_err(|e| DomainError::Internal(format!("authentication builder: {e}")))?;
    let (rcr, state) = webauthn
        .generate_challenge_authenticate(builder)
        .map_err(|e| DomainError::Internal(format!("authentication challenge: {e}")))?;
    let options = json!({
        "challenge": b64url(rcr.public_key.challenge.as_ref()),
        "timeout": TIMEOUT_MS,
        "rpId": rp.rp_id,
        "allowCredentials": allow,
        "userVerification": user_verification.as_str(),
        "hints": hints.iter().map(|h| h.as_str()).collect::<Vec<_>>(),
    });
    Ok((options, state))
}

/// Verifies an assertion made with `credential` (signature, challenge, origin, RP ID hash, user
/// verification, counter). The error is the verifier's message.
pub fn finish_authentication(
    rp: &RelyingParty,
    state: &AuthenticationState,
    response: &PublicKeyCredential,
    credential: &Credential,
) -> Result<AuthenticationResult, String> {
    verify_assertion(&core(rp), state, response, credential).map_err(|e| match e {
        wa::error::WebauthnError::CredentialPossibleCompromise => {
            "The signature counter did not increase: the passkey may have been cloned.".to_string()
        }
        other => other.to_string(),
    })
}

/// 0.6 verifies against one given credential; 0.5 against the state's allowed list, which
/// then holds exactly that credential (the completion has already matched it by id).
#[cfg(feature = "rustcrypto")]
fn verify_assertion(
    webauthn: &WebauthnCore,
    state: &AuthenticationState,
    response: &PublicKeyCredential,
    credential: &Credential,
) -> Result<AuthenticationResult, wa::error::WebauthnError> {
    webauthn.authenticate_single_credential(response, state, credential)
}

#[cfg(all(feature = "openssl", not(feature = "rustcrypto")))]
fn verify_assertion(
    webauthn: &WebauthnCore,
    state: &AuthenticationState,
    response: &PublicKeyCredential,
    credential: &Credential,
) -> Result<AuthenticationResult, wa::error::WebauthnError> {
    let mut state = state.clone();
    state.set_allowed_credentials(vec![credential.clone()]);
    webauthn.authenticate_credential(response, &state)
}
