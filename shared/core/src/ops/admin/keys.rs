//! API keys of an app as admins manage them (contract §3.12, ADMIN-API.md §4): list with
//! secrets masked, create, lock, unlock, delete only when locked, and reveal for 7 days.
//!
//! Security: a key authenticates by its keyed hash only. So that the console can still show a
//! new key for a while, its value is also kept sealed (AES-256-GCM under a key derived from
//! the pepper, bound to the app and key id) in a record that expires after
//! [`REVEAL_DAYS`]; past that only the hash is left and the key can never be shown again.

use super::{AdminCaller, own_app};
use crate::error::DomainError;
use crate::events::EventKind;
use crate::keys::{self, MintedKey};
use crate::model::{ApiKeyRecord, KeyKind, Scope, TokenKind, TokenRecord};
use crate::ops::audit;
use crate::ports::KeyDeletion;
use crate::service::Service;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use serde::Serialize;

/// Days a new key can be revealed.
pub const REVEAL_DAYS: i64 = 7;
/// Length secrets are masked to: `<app>:secret:` then `*`s and the last 4 characters.
const MASK_WIDTH: usize = 32;
/// Mints tried before giving up on a key id (last 4 hex digits) unique within the app.
const MINT_ATTEMPTS: usize = 16;

fn cipher(svc: &Service) -> Result<Aes256Gcm, DomainError> {
    Aes256Gcm::new_from_slice(&svc.hasher.derive("api key copies"))
        .map_err(|e| DomainError::Internal(format!("key copy cipher: {e}")))
}

fn copy_hash(record: &ApiKeyRecord) -> String {
    format!("keycopy-{}", record.key_hash)
}

fn aad(record: &ApiKeyRecord) -> String {
    format!("{}/{}", record.app_id, record.key_id)
}

/// Seals a new key's value into a record that expires [`REVEAL_DAYS`] after creation.
pub fn sealed_copy(svc: &Service, minted: &MintedKey) -> Result<TokenRecord, DomainError> {
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let aad = aad(&minted.record);
    let sealed = cipher(svc)?
        .encrypt(&Nonce::from(nonce), Payload { msg: minted.value.as_bytes(), aad: aad.as_bytes() })
        .map_err(|e| DomainError::Internal(format!("key copy seal: {e}")))?;
    Ok(TokenRecord {
        token_hash: copy_hash(&minted.record),
        app_id: minted.record.app_id.clone(),
        kind: TokenKind::Internal,
        expires_at: minted.record.created_at + Duration::days(REVEAL_DAYS),
        payload: STANDARD.encode([nonce.as_slice(), &sealed].concat()),
    })
}

fn unseal(svc: &Service, record: &ApiKeyRecord, copy: &TokenRecord) -> Result<String, DomainError> {
    let bytes = STANDARD
        .decode(&copy.payload)
        .map_err(|e| DomainError::Internal(format!("key copy decode: {e}")))?;
    if bytes.len() < 12 {
        return Err(DomainError::Internal("key copy too short".into()));
    }
    let (nonce, sealed) = bytes.split_at(12);
    let nonce: [u8; 12] =
        nonce.try_into().map_err(|_| DomainError::Internal("key copy nonce".into()))?;
    let aad = aad(record);
    let plain = cipher(svc)?
        .decrypt(&Nonce::from(nonce), Payload { msg: sealed, aad: aad.as_bytes() })
        .map_err(|_| DomainError::Internal("key copy does not open under this pepper".into()))?;
    String::from_utf8(plain).map_err(|e| DomainError::Internal(format!("key copy text: {e}")))
}

/// Mints a key whose id is not used by another key of the app yet.
pub async fn mint_unique(
    svc: &Service,
    app_id: &str,
    kind: KeyKind,
    scopes: Vec<Scope>,
    taken: &mut Vec<String>,
) -> Result<MintedKey, DomainError> {
    let now = svc.clock.now();
    for _ in 0..MINT_ATTEMPTS {
        let minted = keys::mint_key(&svc.hasher, app_id, kind, scopes.clone(), now);
        if !taken.contains(&minted.record.key_id) {
            taken.push(minted.record.key_id.clone());
            return Ok(minted);
        }
    }
    Err(DomainError::Unavailable("could not mint a key with a free id".into()))
}

/// One key as `GET /admin/apps/{appId}/api-keys` lists it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedKey {
    pub id: String,
    pub created_at: DateTime<Utc>,
    /// Public keys in full; secrets masked.
    pub api_key: String,
    /// 1 = public, 2 = secret.
    #[serde(rename = "type")]
    pub kind: u8,
    pub scopes: Vec<String>,
    pub is_locked: bool,
    pub last_locked_at: Option<DateTime<Utc>>,
    /// Until when `reveal` can show the key (`null` once it no longer can).
    pub viewable_until: Option<DateTime<Utc>>,
}

fn mask(record: &ApiKeyRecord) -> String {
    let stars = "*".repeat(MASK_WIDTH - record.key_id.len().min(MASK_WIDTH));
    format!("{}:secret:{stars}{}", record.app_id, record.key_id)
}

pub async fn list(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
) -> Result<Vec<ListedKey>, DomainError> {
    own_app(svc, caller, app_id).await?;
    let now = svc.clock.now();
    let mut records = svc.store.list_api_keys(app_id).await?;
    // Oldest first, as admins created them (stores list them by key id).
    records.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.key_id.cmp(&b.key_id)));
    let listed = records
        .iter()
        .map(|r| {
            let mut scopes: Vec<String> = r.scopes.iter().map(|s| s.name().to_string()).collect();
            scopes.sort();
            let until = r.created_at + Duration::days(REVEAL_DAYS);
            ListedKey {
                id: r.key_id.clone(),
                created_at: r.created_at,
                api_key: match (r.kind, &r.value) {
                    (KeyKind::Public, Some(value)) => value.clone(),
                    _ => mask(r),
                },
                kind: if r.kind == KeyKind::Public { 1 } else { 2 },
                scopes,
                is_locked: r.locked,
                last_locked_at: r.last_locked_at,
                viewable_until: (until >= now).then_some(until),
            }
        })
        .collect();
    let event = audit::event(
        svc,
        &caller.on_app(app_id),
        EventKind::AdminApiKeysEnumerated,
        app_id,
        "Api keys enumerated",
    );
    audit::record(svc, vec![event]).await;
    Ok(listed)
}

/// The scopes of a new key: at least one, each valid for the key's kind, given as upstream's
/// numbers (public: 0 register, 1 login; secret: 0 token_register, 1 token_verify) or names.
pub fn parse_scopes(kind: KeyKind, given: &[serde_json::Value]) -> Result<Vec<Scope>, DomainError> {
    let allowed = Scope::defaults(kind);
    let mut scopes = Vec::new();
    for value in given {
        let scope = match value {
            serde_json::Value::Number(n) => {
                n.as_u64().and_then(|i| allowed.get(i as usize)).copied()
            }
            serde_json::Value::String(name) => {
                allowed.iter().copied().find(|s| s.name().eq_ignore_ascii_case(name))
            }
            _ => None,
        };
        let Some(scope) = scope else {
            let names: Vec<&str> = allowed.iter().map(|s| s.name()).collect();
            return Err(DomainError::invalid_field(
                "scopes",
                format!(
                    "Scopes of this key are {} (or their numbers 0..{}).",
                    names.join(", "),
                    names.len() - 1
                ),
            ));
        };
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    if scopes.is_empty() {
        return Err(DomainError::bad_request(
            "create_api_key_scopes_required",
            "Please select at least one scope.",
        ));
    }
    Ok(scopes)
}

/// `POST /admin/apps/{appId}/public-keys` and `/secret-keys`: the full key, shown now and by
/// `reveal` for [`REVEAL_DAYS`].
pub async fn create(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    kind: KeyKind,
    scopes: &[serde_json::Value],
) -> Result<String, DomainError> {
    own_app(svc, caller, app_id).await?;
    let scopes = parse_scopes(kind, scopes)?;
    let mut taken: Vec<String> =
        svc.store.list_api_keys(app_id).await?.into_iter().map(|k| k.key_id).collect();
    let minted = mint_unique(svc, app_id, kind, scopes, &mut taken).await?;
    svc.store.put_token(&sealed_copy(svc, &minted)?).await?;
    svc.store.add_api_key(&minted.record).await?;
    let word = if kind == KeyKind::Public { "public" } else { "secret" };
    let message = format!("Created {word} Api Key {}", minted.record.key_id);
    let event =
        audit::event(svc, &caller.on_app(app_id), EventKind::AdminApiKeyCreated, app_id, message);
    audit::record(svc, vec![event]).await;
    Ok(minted.value)
}

fn key_not_found() -> DomainError {
    DomainError::NotFound {
        code: Some("api_key_not_found"),
        title: "The API key was not found.".into(),
    }
}

/// Locks or unlocks every key of the app (freeze/unfreeze, scheduled deletion), or one.
pub async fn set_locked(
    svc: &Service,
    app_id: &str,
    key_id: Option<&str>,
    locked: bool,
) -> Result<bool, DomainError> {
    let now = svc.clock.now();
    let records = svc.store.list_api_keys(app_id).await?;
    let mut found = false;
    for record in records.iter().filter(|r| key_id.is_none_or(|id| r.key_id == id)) {
        found |= svc.store.set_api_key_locked(app_id, &record.key_id, locked, now).await?;
        // This host sees the change at once; other hosts within their key-cache window.
        svc.key_cache.forget(&record.key_hash);
    }
    Ok(found)
}

/// `POST /admin/apps/{appId}/api-keys/{id}/lock` and `/unlock`.
pub async fn lock(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    key_id: &str,
    locked: bool,
) -> Result<(), DomainError> {
    own_app(svc, caller, app_id).await?;
    if !set_locked(svc, app_id, Some(key_id), locked).await? {
        return Err(key_not_found());
    }
    let (kind, verb) = if locked {
        (EventKind::AdminApiKeyLocked, "Locked")
    } else {
        (EventKind::AdminApiKeyUnlocked, "Unlocked")
    };
    let event =
        audit::event(svc, &caller.on_app(app_id), kind, app_id, format!("{verb} Api Key {key_id}"));
    audit::record(svc, vec![event]).await;
    Ok(())
}

/// `DELETE /admin/apps/{appId}/api-keys/{id}`: only a locked key (409 otherwise), so a key in
/// use is always switched off, and seen to be missed, before it is gone for good.
pub async fn delete(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    key_id: &str,
) -> Result<(), DomainError> {
    own_app(svc, caller, app_id).await?;
    let records = svc.store.list_api_keys(app_id).await?;
    match svc.store.delete_api_key(app_id, key_id).await? {
        KeyDeletion::Deleted => {}
        KeyDeletion::NotFound => return Err(key_not_found()),
        KeyDeletion::NotLocked => {
            return Err(DomainError::Conflict {
                code: "api_key_not_locked",
                title: "Lock the API key before deleting it.".into(),
            });
        }
    }
    for record in records.iter().filter(|r| r.key_id == key_id) {
        svc.key_cache.forget(&record.key_hash);
        svc.store.take_token(app_id, &copy_hash(record)).await?;
    }
    let event = audit::event(
        svc,
        &caller.on_app(app_id),
        EventKind::AdminApiKeyDeleted,
        app_id,
        format!("Deleted Api Key {key_id}"),
    );
    audit::record(svc, vec![event]).await;
    Ok(())
}

/// `GET /admin/apps/{appId}/api-keys/{id}/reveal`: the full key within [`REVEAL_DAYS`] of its
/// creation, then 410.
pub async fn reveal(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    key_id: &str,
) -> Result<String, DomainError> {
    own_app(svc, caller, app_id).await?;
    let records = svc.store.list_api_keys(app_id).await?;
    let record = records.iter().find(|r| r.key_id == key_id).ok_or_else(key_not_found)?;
    let gone = || DomainError::Gone {
        code: "api_key_no_longer_viewable",
        title: format!("API keys can be viewed for {REVEAL_DAYS} days after they were created."),
    };
    // The copy's record expires with the window, but stores delete expired records late: the
    // window is checked here, not left to the store.
    if svc.clock.now() > record.created_at + Duration::days(REVEAL_DAYS) {
        return Err(gone());
    }
    let copy = svc.store.get_token(app_id, &copy_hash(record)).await?.ok_or_else(gone)?;
    unseal(svc, record, &copy)
}
