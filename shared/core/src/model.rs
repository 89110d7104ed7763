//! The records Ferrokey keeps: apps, API keys, credentials, aliases and tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One tenant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct App {
    pub app_id: String,
    pub created_at: DateTime<Utc>,
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
    /// webauthn-rs's own credential record (parsed key, policy, flags), as JSON.
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
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            TokenKind::Register => "register_",
            TokenKind::Session => "session_",
            TokenKind::Verify => "verify_",
        }
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
