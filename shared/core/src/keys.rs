//! API keys: minting, hashing, and authenticating a request's `ApiKey` / `ApiSecret` header
//! with the contract's helpful 401 details (§2).

use crate::error::{DomainError, KeyHeader};
use crate::model::{ApiKeyRecord, KeyKind, Scope};
use crate::ports::AppStore;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// App ids: lowercase letter, then 2–61 lowercase letters or digits.
pub fn is_valid_app_id(app_id: &str) -> bool {
    let bytes = app_id.as_bytes();
    (3..=62).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Hashes keys with a server-side pepper.
///
/// Security: keys carry 128 random bits, so a slow password hash buys nothing; HMAC-SHA256 with a
/// pepper kept outside the database means a leaked database alone cannot even confirm a guessed
/// key. Lookups are by this hash, so no stored value is ever compared with attacker input.
#[derive(Clone)]
pub struct KeyHasher {
    pepper: Vec<u8>,
}

impl std::fmt::Debug for KeyHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyHasher(..)")
    }
}

impl KeyHasher {
    pub fn new(pepper: Vec<u8>) -> Self {
        KeyHasher { pepper }
    }

    /// A 32-byte key for one purpose (`label`), derived from the pepper, so no second secret
    /// has to be configured: e.g. the key that seals revealable API key copies.
    pub fn derive(&self, label: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        if let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.pepper) {
            mac.update(b"ferrokey derive v1\0");
            mac.update(label.as_bytes());
            out.copy_from_slice(&mac.finalize().into_bytes());
        }
        out
    }

    pub fn hash(&self, key: &str) -> String {
        // HMAC accepts keys of any length, so this cannot fail; fall back to an empty digest
        // input rather than panicking if that ever changed.
        match Hmac::<Sha256>::new_from_slice(&self.pepper) {
            Ok(mut mac) => {
                mac.update(key.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }
}

/// A freshly minted key: the full value (shown once) and the record to store.
#[derive(Debug, Clone)]
pub struct MintedKey {
    pub value: String,
    pub record: ApiKeyRecord,
}

/// Mints `<appId>:public:<32 hex>` or `<appId>:secret:<32 hex>`.
pub fn mint_key(
    hasher: &KeyHasher,
    app_id: &str,
    kind: KeyKind,
    scopes: Vec<Scope>,
    now: DateTime<Utc>,
) -> MintedKey {
    let mut raw = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let kind_word = match kind {
        KeyKind::Public => "public",
        KeyKind::Secret => "secret",
    };
    let value = format!("{app_id}:{kind_word}:{}", hex::encode(raw));
    let key_id = value[value.len() - 4..].to_string();
    let record = ApiKeyRecord {
        app_id: app_id.to_string(),
        key_id,
        key_hash: hasher.hash(&value),
        kind,
        scopes,
        locked: false,
        created_at: now,
        value: (kind == KeyKind::Public).then(|| value.clone()),
        last_locked_at: None,
        last_unlocked_at: None,
    };
    MintedKey { value, record }
}

/// Remembers valid API key records for a short time, so the auth path costs no storage round
/// trip on warm hosts.
///
/// Security: only keys found valid are cached, never misses, so a new key works at once; a
/// lock or scope change reaches a warm host within the TTL.
pub type KeyCache = crate::cache::TtlCache<ApiKeyRecord>;

/// Looks a key up through the cache.
async fn lookup(
    store: &dyn AppStore,
    cache: &KeyCache,
    hash: &str,
) -> Result<Option<ApiKeyRecord>, DomainError> {
    if let Some(record) = cache.get(hash) {
        return Ok(Some(record));
    }
    let record = store.get_api_key(hash).await?;
    if let Some(record) = &record {
        cache.put(hash, record);
    }
    Ok(record)
}

/// The tenant a request was authenticated as.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub app_id: String,
    pub key_id: String,
    /// Who the app's events name as performing the operation: `None` for the app's own keys
    /// ("Api"), the admin's email or "ManagementKey" when an admin acts on the app.
    pub performed_by: Option<String>,
}

/// Authenticates a request that must carry `header` with `scope` (`None`: any valid key).
///
/// `primary` is the value of `header`, `other` the value of the other key header; empty values
/// count as absent. The order of the checks is the contract's order of 401 details.
pub async fn authenticate(
    store: &dyn AppStore,
    cache: &KeyCache,
    hasher: &KeyHasher,
    header: KeyHeader,
    scope: Option<Scope>,
    primary: Option<&str>,
    other: Option<&str>,
) -> Result<Caller, DomainError> {
    let name = header.name();
    let unauthorized = |detail: String| DomainError::Unauthorized { header, detail };
    let primary = primary.filter(|v| !v.is_empty());
    let other = other.filter(|v| !v.is_empty());
    let Some(value) = primary else {
        return Err(unauthorized(match other {
            Some(_) => format!(
                "A '{}' header was supplied when a '{name}' header should have been supplied.",
                header.other().name()
            ),
            None => format!("A valid '{name}' header is required."),
        }));
    };
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("verify_") {
        return Err(unauthorized(format!("A verify token was supplied instead of your '{name}'.")));
    }
    if lower.starts_with("register_") {
        return Err(unauthorized(format!(
            "A register token was supplied instead of your '{name}'."
        )));
    }
    let (expected_word, wrong_marker) = match header {
        KeyHeader::ApiSecret => ("secret", ":public:"),
        KeyHeader::ApiKey => ("public", ":secret:"),
    };
    if value.contains(wrong_marker) {
        return Err(unauthorized(match header {
            KeyHeader::ApiSecret => {
                "Your ApiSecret header contained a public ApiKey instead of your 'ApiSecret'."
                    .to_string()
            }
            KeyHeader::ApiKey => {
                "Your ApiKey header contained a ApiSecret instead of your 'ApiKey'.".to_string()
            }
        }));
    }
    if !value.contains(expected_word) {
        let start: String = value.chars().take(10).collect();
        return Err(unauthorized(format!(
            "We don't recognize the value you supplied for your '{name}'. It started with: '{start}'."
        )));
    }
    let not_valid = || unauthorized(format!("The value of your '{name}' is not valid."));
    let app_id = value.split(':').next().unwrap_or_default();
    let expected_kind = match header {
        KeyHeader::ApiKey => KeyKind::Public,
        KeyHeader::ApiSecret => KeyKind::Secret,
    };
    let record = lookup(store, cache, &hasher.hash(value)).await?;
    let record = match record {
        Some(r) if r.app_id == app_id && r.kind == expected_kind => r,
        _ => {
            tracing::info!(app_id, header = name, "unknown api key used");
            return Err(not_valid());
        }
    };
    if record.locked {
        tracing::info!(app_id, key_id = %record.key_id, "locked api key used");
        return Err(DomainError::ApiKeyLocked);
    }
    if let Some(scope) = scope
        && !record.scopes.contains(&scope)
    {
        return Err(DomainError::MissingScope { scope: scope.name() });
    }
    Ok(Caller { app_id: record.app_id, key_id: record.key_id, performed_by: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_id_rule() {
        assert!(is_valid_app_id("abc"));
        assert!(is_valid_app_id("a1b2"));
        assert!(!is_valid_app_id("ab"));
        assert!(!is_valid_app_id("1abc"));
        assert!(!is_valid_app_id("Abc"));
        assert!(!is_valid_app_id("ab-c"));
        assert!(is_valid_app_id(&format!("a{}", "b".repeat(61))));
        assert!(!is_valid_app_id(&format!("a{}", "b".repeat(62))));
    }

    #[test]
    fn minted_keys_have_the_contract_shape() {
        let hasher = KeyHasher::new(b"pepper".to_vec());
        let k = mint_key(
            &hasher,
            "myapp",
            KeyKind::Public,
            Scope::defaults(KeyKind::Public),
            Utc::now(),
        );
        let parts: Vec<&str> = k.value.split(':').collect();
        assert_eq!(parts[0], "myapp");
        assert_eq!(parts[1], "public");
        assert_eq!(parts[2].len(), 32);
        assert!(parts[2].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(k.record.key_id, &k.value[k.value.len() - 4..]);
        assert_ne!(k.record.key_hash, k.value);
        assert_eq!(k.record.key_hash, hasher.hash(&k.value));
        assert_ne!(KeyHasher::new(b"other".to_vec()).hash(&k.value), k.record.key_hash);
    }
}
