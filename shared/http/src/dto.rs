//! Request bodies (member names lower-cased, see [`crate::json`]) and their conversion into the
//! domain's inputs, including strict base64url decoding of WebAuthn fields.

use crate::json::{lenient_string, lenient_strings};
use crate::problem::ApiError;
use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use chrono::{DateTime, NaiveDateTime, Utc};
use ferrokey_core::DomainError;
use ferrokey_core::ops::register::RegisterTokenInput;
use ferrokey_core::webauthn::proto::{PublicKeyCredential, RegisterPublicKeyCredential};
use ferrokey_core::webauthn::response::{self, AssertionParts, AttestationParts};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Base64url, URL-safe alphabet only; trailing padding tolerated, `+` and `/` refused.
const B64URL: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// WebAuthn's bound on credential ids.
pub const MAX_CREDENTIAL_ID_BYTES: usize = 1023;

fn required(field: &str) -> ApiError {
    let name = field.rsplit('.').next().unwrap_or(field);
    let mut title = name.to_string();
    if let Some(first) = title.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    DomainError::invalid_field(field, format!("The {title} field is required.")).into()
}

fn decode(field: &str, value: Option<&str>) -> Result<Vec<u8>, ApiError> {
    let value = value.filter(|v| !v.is_empty()).ok_or_else(|| required(field))?;
    B64URL
        .decode(value)
        .map_err(|_| DomainError::invalid_field(field, "The value is not valid base64url.").into())
}

/// `POST /register/token`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RegisterTokenBody {
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userId")]
    pub userid: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub username: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "displayName")]
    pub displayname: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub attestation: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "authenticatorType")]
    pub authenticatortype: Option<String>,
    #[serde(default)]
    pub discoverable: Option<bool>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userVerification")]
    pub userverification: Option<String>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub aliases: Option<Vec<String>>,
    #[serde(default)]
    #[schemars(rename = "aliasHashing")]
    pub aliashashing: Option<bool>,
    #[serde(default, deserialize_with = "lenient_strings")]
    pub hints: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "expiresAt")]
    pub expiresat: Option<String>,
}

/// ISO-8601 with an offset, or without one (then UTC: the Python SDK sends naive UTC times).
fn parse_time(field: &str, value: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc()).map_err(
        |_| DomainError::invalid_field(field, "The value is not an ISO-8601 date and time.").into(),
    )
}

impl RegisterTokenBody {
    pub fn into_input(self) -> Result<RegisterTokenInput, ApiError> {
        let expires_at = match self.expiresat.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => Some(parse_time("expiresAt", v)?),
            None => None,
        };
        Ok(RegisterTokenInput {
            user_id: self.userid,
            username: self.username,
            display_name: self.displayname,
            attestation: self.attestation,
            authenticator_type: self.authenticatortype,
            discoverable: self.discoverable,
            user_verification: self.userverification,
            aliases: self.aliases,
            alias_hashing: self.aliashashing,
            hints: self.hints,
            expires_at,
        })
    }
}

/// Any browser-endpoint body: the union of the members the four ceremony endpoints read.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BrowserBody {
    #[serde(default, deserialize_with = "lenient_string")]
    pub token: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub session: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "RPID")]
    pub rpid: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "Origin")]
    pub origin: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub nickname: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    #[schemars(rename = "userId")]
    pub userid: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub alias: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub purpose: Option<String>,
    #[serde(default)]
    pub response: Option<CredentialBody>,
}

/// A `PublicKeyCredential` as browsers (and the JS client) send it.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CredentialBody {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    #[schemars(rename = "rawId")]
    pub rawid: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    #[schemars(rename = "clientExtensionResults")]
    pub clientextensionresults: Option<Value>,
    /// Client 1.1.0 sent `extensions` instead of `clientExtensionResults`.
    #[serde(default)]
    pub extensions: Option<Value>,
    #[serde(default)]
    pub response: Option<InnerResponse>,
}

/// The authenticator response inside a credential.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct InnerResponse {
    #[serde(default)]
    #[schemars(rename = "attestationObject")]
    pub attestationobject: Option<String>,
    #[serde(default)]
    #[schemars(rename = "clientDataJSON")]
    pub clientdatajson: Option<String>,
    #[serde(default)]
    pub transports: Option<Vec<String>>,
    #[serde(default)]
    #[schemars(rename = "authenticatorData")]
    pub authenticatordata: Option<String>,
    #[serde(default)]
    pub signature: Option<String>,
    #[serde(default)]
    #[schemars(rename = "userHandle")]
    pub userhandle: Option<String>,
}

impl CredentialBody {
    /// The credential id bytes (`rawId`, or `id` when a client sent only that) and the id text,
    /// at most [`MAX_CREDENTIAL_ID_BYTES`] (WebAuthn's limit): ids are keys in storage and are
    /// echoed in `unknown_credential` problems.
    fn ids(&self) -> Result<(String, Vec<u8>), ApiError> {
        let raw = match (&self.rawid, &self.id) {
            (Some(raw), _) => decode("response.rawId", Some(raw))?,
            (None, id) => decode("response.id", id.as_deref())?,
        };
        let too_long = |field: &str| -> ApiError {
            DomainError::invalid_field(
                field,
                format!("A credential id is at most {MAX_CREDENTIAL_ID_BYTES} bytes."),
            )
            .into()
        };
        if raw.len() > MAX_CREDENTIAL_ID_BYTES {
            return Err(too_long("response.rawId"));
        }
        let id = self.id.clone().unwrap_or_else(|| B64URL.encode(&raw));
        // base64url of 1,023 bytes is 1,364 characters.
        if id.len() > 1400 {
            return Err(too_long("response.id"));
        }
        Ok((id, raw))
    }

    /// `clientExtensionResults.credProps.rk`, if reported.
    pub fn resident_key(&self) -> Option<bool> {
        let ext = self.clientextensionresults.as_ref().or(self.extensions.as_ref())?;
        ext.get("credprops")?.get("rk")?.as_bool()
    }

    /// The registration response for the verifier.
    pub fn into_registration(self) -> Result<RegisterPublicKeyCredential, ApiError> {
        let (id, raw_id) = self.ids()?;
        let resident_key = self.resident_key();
        let inner = self.response.ok_or_else(|| required("response.response"))?;
        Ok(response::registration(AttestationParts {
            id,
            raw_id,
            kind: self.kind.unwrap_or_else(|| "public-key".into()),
            attestation_object: decode(
                "response.response.attestationObject",
                inner.attestationobject.as_deref(),
            )?,
            client_data_json: decode(
                "response.response.clientDataJSON",
                inner.clientdatajson.as_deref(),
            )?,
            transports: inner.transports,
            resident_key,
        }))
    }

    /// The assertion for the verifier.
    pub fn into_assertion(self) -> Result<PublicKeyCredential, ApiError> {
        let (id, raw_id) = self.ids()?;
        let inner = self.response.ok_or_else(|| required("response.response"))?;
        let user_handle = match inner.userhandle.as_deref().filter(|h| !h.is_empty()) {
            Some(h) => Some(decode("response.response.userHandle", Some(h))?),
            None => None,
        };
        Ok(response::assertion(AssertionParts {
            id,
            raw_id,
            kind: self.kind.unwrap_or_else(|| "public-key".into()),
            authenticator_data: decode(
                "response.response.authenticatorData",
                inner.authenticatordata.as_deref(),
            )?,
            client_data_json: decode(
                "response.response.clientDataJSON",
                inner.clientdatajson.as_deref(),
            )?,
            signature: decode("response.response.signature", inner.signature.as_deref())?,
            user_handle,
        }))
    }
}

/// The `response` member, required on the complete endpoints.
pub fn credential(body: Option<CredentialBody>) -> Result<CredentialBody, ApiError> {
    body.ok_or_else(|| required("response"))
}
