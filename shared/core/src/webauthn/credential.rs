//! Our stored credential format and webauthn-rs's `Credential`: what registration keeps, and
//! the verifier's type rebuilt from it at each sign-in.
//!
//! Format 1 (current) keeps only data of our own: the COSE public key bytes as the
//! authenticator sent them, the counter, flags, transports, the attestation format and the
//! registration's user-verification facts. Nothing depends on webauthn-rs's serde layout, so a
//! library upgrade cannot strand a registered passkey. Format 0 rows (webauthn-rs 0.6's JSON
//! in `webauthn`) are still read.

use super::UserVerification;
use super::proto::{
    AttestationFormat, AttestationMetadata, AuthenticatorTransport, COSEKey, Credential,
    ParsedAttestation, ParsedAttestationData, RegisteredExtensions,
};
use crate::model::StoredCredential;

/// The format registration writes.
pub const CURRENT_FORMAT: u32 = 1;

/// The webauthn-rs credential a sign-in verifies against. The stored columns are the source
/// of truth for what changes at each sign-in (counter, backup flags).
pub fn credential(stored: &StoredCredential) -> Result<Credential, String> {
    let mut cred = match stored.format {
        0 => serde_json::from_str::<Credential>(&stored.webauthn)
            .map_err(|e| format!("legacy credential: {e}"))?,
        1 => rebuild(stored)?,
        other => return Err(format!("credential format {other} is newer than this server")),
    };
    cred.counter = stored.signature_counter;
    cred.backup_state = stored.backup_state;
    cred.backup_eligible = stored.backup_eligible;
    Ok(cred)
}

fn rebuild(stored: &StoredCredential) -> Result<Credential, String> {
    let value: serde_cbor_2::Value = serde_cbor_2::from_slice(&stored.public_key)
        .map_err(|e| format!("public key is not CBOR: {e}"))?;
    let key =
        COSEKey::try_from(&value).map_err(|e| format!("public key is not a COSE key: {e:?}"))?;
    let transports = stored.transports.as_ref().map(|names| {
        names
            .iter()
            .filter_map(|t| serde_json::from_value::<AuthenticatorTransport>(t.clone().into()).ok())
            .collect()
    });
    let policy = stored.registration_policy.unwrap_or(UserVerification::Preferred);
    Ok(Credential {
        cred_id: super::bytes(stored.credential_id.clone()),
        cred: key,
        counter: stored.signature_counter,
        transports,
        user_verified: stored.user_verified,
        backup_eligible: stored.backup_eligible,
        backup_state: stored.backup_state,
        registration_policy: policy.to_proto(),
        // Ferrokey asks for no extension that sign-in would enforce (credProtect, hmac).
        extensions: RegisteredExtensions::none(),
        attestation: ParsedAttestation {
            data: ParsedAttestationData::None,
            metadata: AttestationMetadata::None,
        },
        attestation_format: AttestationFormat::try_from(stored.attestation_fmt.as_str())
            .unwrap_or(AttestationFormat::None),
    })
}

/// The registration facts format 1 keeps, from the credential webauthn-rs verified.
pub fn registration_facts(verified: &Credential) -> (bool, UserVerification) {
    (verified.user_verified, UserVerification::from_proto(&verified.registration_policy))
}
