//! The verifier's response types built from decoded wire parts, so that callers (the HTTP
//! layer) never name the verifier's byte types, which differ between its two lines.

use super::bytes;
use super::proto::{
    AuthenticatorAssertionResponseRaw, AuthenticatorAttestationResponseRaw, CredProps,
    PublicKeyCredential, RegisterPublicKeyCredential, RegistrationExtensionsClientOutputs,
};

/// A registration response (`navigator.credentials.create()`), decoded from base64url.
#[derive(Debug, Clone)]
pub struct AttestationParts {
    pub id: String,
    pub raw_id: Vec<u8>,
    pub kind: String,
    pub attestation_object: Vec<u8>,
    pub client_data_json: Vec<u8>,
    /// As the browser named them; names the verifier does not know are dropped.
    pub transports: Option<Vec<String>>,
    /// `clientExtensionResults.credProps.rk`, if reported.
    pub resident_key: Option<bool>,
}

/// A sign-in response (`navigator.credentials.get()`), decoded from base64url.
#[derive(Debug, Clone)]
pub struct AssertionParts {
    pub id: String,
    pub raw_id: Vec<u8>,
    pub kind: String,
    pub authenticator_data: Vec<u8>,
    pub client_data_json: Vec<u8>,
    pub signature: Vec<u8>,
    pub user_handle: Option<Vec<u8>>,
}

/// The registration response for the verifier.
pub fn registration(parts: AttestationParts) -> RegisterPublicKeyCredential {
    let transports = parts.transports.map(|names| {
        names
            .into_iter()
            .filter_map(|t| serde_json::from_value(serde_json::Value::String(t)).ok())
            .collect()
    });
    RegisterPublicKeyCredential {
        id: parts.id,
        raw_id: bytes(parts.raw_id),
        response: AuthenticatorAttestationResponseRaw {
            attestation_object: bytes(parts.attestation_object),
            client_data_json: bytes(parts.client_data_json),
            transports,
        },
        type_: parts.kind,
        extensions: RegistrationExtensionsClientOutputs {
            cred_props: parts.resident_key.map(|rk| CredProps { rk: Some(rk) }),
            ..Default::default()
        },
    }
}

/// The assertion for the verifier.
pub fn assertion(parts: AssertionParts) -> PublicKeyCredential {
    PublicKeyCredential {
        id: parts.id,
        raw_id: bytes(parts.raw_id),
        response: AuthenticatorAssertionResponseRaw {
            authenticator_data: bytes(parts.authenticator_data),
            client_data_json: bytes(parts.client_data_json),
            signature: bytes(parts.signature),
            user_handle: parts.user_handle.map(bytes),
        },
        extensions: Default::default(),
        type_: parts.kind,
    }
}
