//! Response bodies of the backend endpoints, in the wire shape of contract §3.3–§3.5: camelCase,
//! byte fields as the upstream server encodes them, dates as .NET writes values read back from
//! its database (no `Z`, 7 fractional digits).

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ferrokey_core::events::Event;
use ferrokey_core::model::{AliasRecord, AuthConfig, StoredCredential};
use ferrokey_core::ports::UserSummary;
use schemars::JsonSchema;
use serde::Serialize;

/// `2023-04-21T13:33:50.0764103`: UTC, as upstream returns stored dates.
pub fn stored_date(t: DateTime<Utc>) -> String {
    format!("{}.{:07}", t.format("%Y-%m-%dT%H:%M:%S"), t.timestamp_subsec_nanos() / 100)
}

/// `{"token": "..."}`: a register or verify token.
#[derive(Debug, Serialize, JsonSchema)]
pub struct TokenReply {
    pub token: String,
}

/// A ceremony's begin: the options for `navigator.credentials` and the session token.
#[derive(Debug, Serialize, JsonSchema)]
pub struct BeginReply {
    /// PublicKeyCredentialCreationOptions or RequestOptions, base64url binary members.
    pub data: serde_json::Map<String, serde_json::Value>,
    pub session: String,
}

/// A JSON value as an object (begin options always are one).
pub fn object(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// `{"count": n}`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct CountReply {
    pub count: u64,
}

/// `{"values": [...]}`, the envelope of every list.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Values<T> {
    pub values: Vec<T>,
}

#[derive(Debug, Serialize, JsonSchema)]
pub struct Descriptor {
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// base64url of the credential id.
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transports: Option<Vec<String>>,
}

/// One credential of `/credentials/list`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CredentialView {
    pub descriptor: Descriptor,
    /// Standard base64 of the COSE key.
    pub public_key: String,
    /// Standard base64 of the user handle (UTF-8 of the user id).
    pub user_handle: String,
    pub signature_counter: u32,
    pub attestation_fmt: String,
    pub created_at: String,
    pub aa_guid: Option<String>,
    pub last_used_at: String,
    pub rpid: String,
    pub origin: String,
    pub country: String,
    pub device: String,
    pub nickname: Option<String>,
    pub user_id: String,
    pub backup_state: bool,
    pub is_backup_eligible: bool,
    pub is_discoverable: Option<bool>,
}

impl From<StoredCredential> for CredentialView {
    fn from(c: StoredCredential) -> Self {
        CredentialView {
            descriptor: Descriptor {
                kind: "public-key",
                id: URL_SAFE_NO_PAD.encode(&c.credential_id),
                transports: c.transports.filter(|t| !t.is_empty()),
            },
            public_key: STANDARD.encode(&c.public_key),
            user_handle: STANDARD.encode(&c.user_handle),
            signature_counter: c.signature_counter,
            attestation_fmt: c.attestation_fmt,
            created_at: stored_date(c.created_at),
            aa_guid: c.aaguid,
            last_used_at: stored_date(c.last_used_at),
            rpid: c.rp_id,
            origin: c.origin,
            country: c.country,
            device: c.device,
            nickname: c.nickname,
            user_id: c.user_id,
            backup_state: c.backup_state,
            is_backup_eligible: c.backup_eligible,
            is_discoverable: c.discoverable,
        }
    }
}

/// One alias of `/alias/list`: the stored hash, the plaintext only when stored unhashed.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AliasView {
    pub user_id: String,
    pub alias: String,
    pub plaintext: Option<String>,
    pub tenant: String,
}

impl AliasView {
    pub fn new(app_id: &str, user_id: &str, alias: AliasRecord) -> Self {
        AliasView {
            user_id: user_id.to_string(),
            alias: alias.alias_hash,
            plaintext: alias.plaintext,
            tenant: app_id.to_string(),
        }
    }
}

/// One user of `/users/list`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub user_id: String,
    pub alias_count: usize,
    /// Plaintext aliases; hashed ones are `null`.
    pub aliases: Vec<Option<String>>,
    pub credentials_count: u64,
    pub last_used_at: Option<String>,
}

impl From<UserSummary> for UserView {
    fn from(u: UserSummary) -> Self {
        UserView {
            user_id: u.user_id,
            alias_count: u.aliases.len(),
            aliases: u.aliases,
            credentials_count: u.credentials,
            last_used_at: u.last_used_at.map(stored_date),
        }
    }
}

/// `2024-05-01T10:00:00.1234567+00:00`: a .NET DateTimeOffset in UTC.
pub fn offset_date(t: DateTime<Utc>) -> String {
    format!("{}+00:00", stored_date(t))
}

/// One configuration of `/auth-configs/list`: the user verification as its WebAuthn string,
/// the lifetime in whole seconds, hints as upstream's C# names joined by `", "`.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuthConfigView {
    pub purpose: String,
    pub user_verification_requirement: &'static str,
    pub time_to_live: i64,
    pub hints: String,
    pub created_by: String,
    pub created_on: Option<String>,
    pub edited_by: Option<String>,
    pub edited_on: Option<String>,
    pub last_used_on: Option<String>,
}

impl From<AuthConfig> for AuthConfigView {
    fn from(c: AuthConfig) -> Self {
        AuthConfigView {
            purpose: c.purpose,
            user_verification_requirement: c.user_verification.as_str(),
            time_to_live: c.ttl_seconds,
            hints: c.hints.iter().map(|h| h.csharp_name()).collect::<Vec<_>>().join(", "),
            created_by: c.created_by,
            created_on: c.created_on.map(offset_date),
            edited_by: c.edited_by,
            edited_on: c.edited_on.map(offset_date),
            last_used_on: c.last_used_on.map(offset_date),
        }
    }
}

/// One event of `/events`; the type and severity by name.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventView {
    pub performed_at: String,
    pub message: String,
    pub performed_by: String,
    pub tenant_id: String,
    pub event_type: String,
    pub severity: &'static str,
    pub subject: String,
    pub api_key_id: String,
}

impl From<Event> for EventView {
    fn from(e: Event) -> Self {
        EventView {
            performed_at: stored_date(e.performed_at),
            message: e.message,
            performed_by: e.performed_by,
            tenant_id: e.app_id,
            event_type: e.kind.name(),
            severity: e.kind.severity().name(),
            subject: e.subject,
            api_key_id: e.api_key_id,
        }
    }
}

/// The `/events` response.
#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventsView {
    pub tenant_id: String,
    pub events: Vec<EventView>,
    pub total_event_count: u64,
}

#[cfg(test)]
mod tests {
    use super::stored_date;
    use chrono::{TimeZone, Utc};

    #[test]
    fn stored_dates_look_like_upstream() {
        let t = Utc.timestamp_opt(1_682_084_030, 76_410_300).single().unwrap_or_default();
        assert_eq!(stored_date(t), "2023-04-21T13:33:50.0764103");
    }
}
