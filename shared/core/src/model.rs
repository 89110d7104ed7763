//! The records Ferrokey keeps: apps, API keys, credentials, aliases and tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One tenant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct App {
    pub app_id: String,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub features: Features,
    /// Addresses magic links may go to while the app is young (contract §3.6).
    #[serde(default)]
    pub admin_emails: Vec<String>,
    /// Bumped by every update; updates are compare-and-set on it.
    #[serde(default)]
    pub revision: u64,
    /// The organization whose admins run the app (`None`: apps made by `ferrokey app create`
    /// without one, reachable with the management key only).
    #[serde(default)]
    pub org: Option<String>,
    /// When a scheduled deletion falls due (`mark-delete`); `None` when none is pending.
    #[serde(default)]
    pub delete_at: Option<DateTime<Utc>>,
    /// The keys a scheduled deletion locked (they were unlocked before it), which cancelling
    /// it unlocks again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locked_for_deletion: Vec<String>,
}

impl App {
    pub fn new(app_id: &str, created_at: DateTime<Utc>) -> Self {
        App {
            app_id: app_id.to_string(),
            created_at,
            features: Features::default(),
            admin_emails: vec![],
            revision: 0,
            org: None,
            delete_at: None,
            locked_for_deletion: vec![],
        }
    }
}

/// An app's feature flags and limits (contract §8.3). Records written before a field existed
/// read its default.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Features {
    pub event_logging_enabled: bool,
    /// Days the event log keeps events.
    pub event_logging_retention_days: u32,
    /// Magic links an app may send in 30 days once it is a month old (younger apps get less).
    pub magic_link_monthly_quota: u32,
    pub max_users: Option<u64>,
    pub allow_attestation: bool,
    pub generate_signin_token_enabled: bool,
    pub magic_links_enabled: bool,
    pub developer_logging_ends_at: Option<DateTime<Utc>>,
}

impl Default for Features {
    fn default() -> Self {
        Features {
            event_logging_enabled: false,
            event_logging_retention_days: 365,
            magic_link_monthly_quota: 1000,
            max_users: None,
            allow_attestation: false,
            generate_signin_token_enabled: true,
            magic_links_enabled: true,
            developer_logging_ends_at: None,
        }
    }
}

/// Whether a key is the browser's public key or the backend's secret.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Public,
    Secret,
}

/// Permissions carried by a key (contract §2).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Register,
    Login,
    TokenRegister,
    TokenVerify,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Register => "register",
            Scope::Login => "login",
            Scope::TokenRegister => "token_register",
            Scope::TokenVerify => "token_verify",
        }
    }
    /// The scopes a new key of this kind gets.
    pub fn defaults(kind: KeyKind) -> Vec<Scope> {
        match kind {
            KeyKind::Public => vec![Scope::Register, Scope::Login],
            KeyKind::Secret => vec![Scope::TokenRegister, Scope::TokenVerify],
        }
    }
}

/// A stored API key. The key itself is never stored, only its keyed hash.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiKeyRecord {
    pub app_id: String,
    /// Last 4 characters of the key: how admins name it.
    pub key_id: String,
    pub key_hash: String,
    pub kind: KeyKind,
    pub scopes: Vec<Scope>,
    pub locked: bool,
    pub created_at: DateTime<Utc>,
    /// Public keys only: the full value, which the console lists (public keys are not secret;
    /// secrets are kept only as `key_hash`, plus a sealed copy for 7 days, see `ops::admin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default)]
    pub last_locked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub last_unlocked_at: Option<DateTime<Utc>>,
}

/// A registered passkey with every field of contract §8.2.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredCredential {
    pub app_id: String,
    pub credential_id: Vec<u8>,
    pub user_id: String,
    pub user_handle: Vec<u8>,
    /// COSE-encoded public key as the authenticator sent it.
    pub public_key: Vec<u8>,
    pub signature_counter: u32,
    pub attestation_fmt: String,
    pub aaguid: Option<String>,
    pub transports: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
    pub rp_id: String,
    pub origin: String,
    pub country: String,
    pub device: String,
    pub nickname: Option<String>,
    pub backup_state: bool,
    pub backup_eligible: bool,
    /// From the client's `credProps.rk`; `None` when the client did not say.
    pub discoverable: Option<bool>,
    /// Which layout this record has: 0 carried webauthn-rs's own credential JSON in `webauthn`
    /// (a webauthn-rs upgrade that changed it would strand the passkey); 1 carries only our
    /// fields, from which `webauthn::credential` rebuilds webauthn-rs's type at sign-in.
    #[serde(default)]
    pub format: u32,
    /// Whether the authenticator verified the user at registration (UV flag).
    #[serde(default)]
    pub user_verified: bool,
    /// The user verification the registration asked for; later sign-ins honour it.
    #[serde(default)]
    pub registration_policy: Option<crate::webauthn::UserVerification>,
    /// Format 0 only: webauthn-rs's credential record as JSON.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub webauthn: String,
}

/// One alias → user mapping. Stored by hash; plaintext only when hashing is off.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AliasRecord {
    pub alias_hash: String,
    pub plaintext: Option<String>,
}

/// The three token families of contract §5.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    Register,
    Session,
    Verify,
    /// An admin invitation (the code in the invite link).
    Invite,
    /// A signed-in admin's console session (the bearer token).
    AdminSession,
    /// Internal records kept with a lifetime: an invitation being accepted, a key's sealed
    /// copy. Never handed out, so no prefix is ever parsed for them.
    Internal,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Register => "register_",
            TokenKind::Session => "session_",
            TokenKind::Verify => "verify_",
            TokenKind::Invite => "invite_",
            TokenKind::AdminSession => "admin_",
            TokenKind::Internal => "internal_",
        }
    }

    /// The name adapters store.
    pub fn name(self) -> &'static str {
        match self {
            TokenKind::Register => "register",
            TokenKind::Session => "session",
            TokenKind::Verify => "verify",
            TokenKind::Invite => "invite",
            TokenKind::AdminSession => "admin_session",
            TokenKind::Internal => "internal",
        }
    }

    /// The kind a stored name stands for.
    pub fn from_name(name: &str) -> Option<TokenKind> {
        [
            TokenKind::Register,
            TokenKind::Session,
            TokenKind::Verify,
            TokenKind::Invite,
            TokenKind::AdminSession,
            TokenKind::Internal,
        ]
        .into_iter()
        .find(|k| k.name() == name)
    }
}

/// A token as stored: looked up by the hash of the opaque value, bound to one app.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TokenRecord {
    pub token_hash: String,
    pub app_id: String,
    pub kind: TokenKind,
    pub expires_at: DateTime<Utc>,
    /// The operation's own JSON payload (register options, ceremony state, verified sign-in).
    pub payload: String,
}

/// One day's numbers of an app, for `/reporting/*` (taken by the hourly snapshot job; the last
/// snapshot of a day stands for it).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DailyReport {
    pub app_id: String,
    pub day: chrono::NaiveDate,
    /// Users with at least one passkey.
    pub users: u64,
    pub credentials: u64,
    /// Users who used a passkey on this day (UTC).
    pub daily_active_users: u64,
    /// Users who used a passkey on this day or the six before.
    pub weekly_active_users: u64,
}

/// An authentication configuration: what a sign-in `purpose` asks of the authenticator and how
/// long its verify token lives (contract §3.8).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuthConfig {
    pub app_id: String,
    pub purpose: String,
    pub user_verification: crate::webauthn::UserVerification,
    pub ttl_seconds: i64,
    pub hints: Vec<crate::webauthn::Hint>,
    pub created_by: String,
    pub created_on: Option<DateTime<Utc>>,
    pub edited_by: Option<String>,
    pub edited_on: Option<DateTime<Utc>>,
    /// Set by sign-ins (at most once a minute per purpose); stores keep it apart from the
    /// record so that a sign-in never rewrites the rest.
    #[serde(default)]
    pub last_used_on: Option<DateTime<Utc>>,
}

/// A console administrator: a user of the built-in `console` app (user id = admin id).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Admin {
    pub id: String,
    /// Lower-cased; unique across the whole service (an admin belongs to one organization).
    pub email: String,
    pub org: String,
    pub created_at: DateTime<Utc>,
}
