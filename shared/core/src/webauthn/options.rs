//! The option enums a register token or authentication configuration may carry, parsed from
//! their wire strings and mapped to webauthn-rs-core's types.

use super::proto::{
    AttestationConveyancePreference, AuthenticatorAttachment, UserVerificationPolicy,
};
use crate::error::DomainError;

/// Attestation conveyance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Attestation {
    None,
    Direct,
    Indirect,
}

impl Attestation {
    /// Contract: null/"" → none; "none" in any case; "direct"/"indirect" exactly.
    pub fn parse(value: Option<&str>) -> Result<Self, DomainError> {
        match value.unwrap_or_default() {
            "" => Ok(Attestation::None),
            v if v.eq_ignore_ascii_case("none") => Ok(Attestation::None),
            "direct" => Ok(Attestation::Direct),
            "indirect" => Ok(Attestation::Indirect),
            _ => Err(DomainError::bad_request(
                "invalid_attestation",
                "Attestation type not supported",
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Attestation::None => "none",
            Attestation::Direct => "direct",
            Attestation::Indirect => "indirect",
        }
    }
    pub(super) fn to_proto(self) -> AttestationConveyancePreference {
        match self {
            Attestation::None => AttestationConveyancePreference::None,
            Attestation::Direct => AttestationConveyancePreference::Direct,
            Attestation::Indirect => AttestationConveyancePreference::Indirect,
        }
    }
}

/// Authenticator attachment (`authenticatorType` in the register token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    Platform,
    CrossPlatform,
}

impl Attachment {
    /// "any"/absent → no preference; otherwise "platform" or "cross-platform" (any case).
    pub fn parse(value: Option<&str>) -> Result<Option<Self>, DomainError> {
        match value.unwrap_or_default().to_ascii_lowercase().as_str() {
            "" | "any" => Ok(None),
            "platform" => Ok(Some(Attachment::Platform)),
            "cross-platform" | "crossplatform" => Ok(Some(Attachment::CrossPlatform)),
            other => Err(DomainError::bad_request(
                "invalid_argument",
                format!(
                    "'{other}' is not a valid authenticatorType: use any, platform or cross-platform."
                ),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Attachment::Platform => "platform",
            Attachment::CrossPlatform => "cross-platform",
        }
    }
    pub(super) fn to_proto(self) -> AuthenticatorAttachment {
        match self {
            Attachment::Platform => AuthenticatorAttachment::Platform,
            Attachment::CrossPlatform => AuthenticatorAttachment::CrossPlatform,
        }
    }
}

/// User verification requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserVerification {
    Preferred,
    Required,
    Discouraged,
}

impl UserVerification {
    /// Absent → preferred; otherwise preferred/required/discouraged in any case.
    pub fn parse(value: Option<&str>) -> Result<Self, DomainError> {
        match value.unwrap_or_default().to_ascii_lowercase().as_str() {
            "" | "preferred" => Ok(UserVerification::Preferred),
            "required" => Ok(UserVerification::Required),
            "discouraged" => Ok(UserVerification::Discouraged),
            other => Err(DomainError::bad_request(
                "invalid_argument",
                format!(
                    "'{other}' is not a valid userVerification: use preferred, required or discouraged."
                ),
            )),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            UserVerification::Preferred => "preferred",
            UserVerification::Required => "required",
            UserVerification::Discouraged => "discouraged",
        }
    }
    /// The policy webauthn-rs recorded.
    pub(super) fn from_proto(policy: &UserVerificationPolicy) -> Self {
        match policy {
            UserVerificationPolicy::Required => UserVerification::Required,
            UserVerificationPolicy::Preferred => UserVerification::Preferred,
            _ => UserVerification::Discouraged,
        }
    }
    pub(super) fn to_proto(self) -> UserVerificationPolicy {
        match self {
            UserVerification::Preferred => UserVerificationPolicy::Preferred,
            UserVerification::Required => UserVerificationPolicy::Required,
            UserVerification::Discouraged => UserVerificationPolicy::Discouraged_DO_NOT_USE,
        }
    }
}

/// Passkey hints (WebAuthn L3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Hint {
    #[serde(rename = "security-key")]
    SecurityKey,
    #[serde(rename = "client-device")]
    ClientDevice,
    #[serde(rename = "hybrid")]
    Hybrid,
}

impl Hint {
    pub fn parse(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "security-key" => Some(Hint::SecurityKey),
            "client-device" => Some(Hint::ClientDevice),
            "hybrid" => Some(Hint::Hybrid),
            _ => None,
        }
    }
    /// The C# enum name upstream reports in configurations (`SecurityKey`, …), any case.
    pub fn parse_csharp(value: &str) -> Option<Self> {
        match value.to_ascii_lowercase().as_str() {
            "securitykey" => Some(Hint::SecurityKey),
            "clientdevice" => Some(Hint::ClientDevice),
            "hybrid" => Some(Hint::Hybrid),
            _ => None,
        }
    }
    pub fn csharp_name(self) -> &'static str {
        match self {
            Hint::SecurityKey => "SecurityKey",
            Hint::ClientDevice => "ClientDevice",
            Hint::Hybrid => "Hybrid",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Hint::SecurityKey => "security-key",
            Hint::ClientDevice => "client-device",
            Hint::Hybrid => "hybrid",
        }
    }
    /// The attachment a first hint implies.
    pub fn attachment(self) -> Attachment {
        match self {
            Hint::SecurityKey | Hint::Hybrid => Attachment::CrossPlatform,
            Hint::ClientDevice => Attachment::Platform,
        }
    }
}
