//! Opaque tokens: `<prefix><base64url of 24 random bytes>`, stored only by SHA-256 hash, bound
//! to one app, with the contract's error texts for missing, malformed and expired tokens (§4).

use crate::error::{DomainError, humanize_seconds};
use crate::model::{TokenKind, TokenRecord};
use crate::ports::TokenStore;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Mints a new token value and its storage hash.
pub fn mint(kind: TokenKind) -> (String, String) {
    let mut raw = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let body = URL_SAFE_NO_PAD.encode(raw);
    (format!("{}{body}", kind.prefix()), hash_body(&body))
}

fn hash_body(body: &str) -> String {
    hex::encode(Sha256::digest(body.as_bytes()))
}

/// Checks a token's shape and returns its storage hash. The prefix matches case-insensitively.
pub fn parse(kind: TokenKind, value: Option<&str>) -> Result<String, DomainError> {
    let prefix = kind.prefix();
    let value = value.unwrap_or_default();
    if value.is_empty() {
        return Err(DomainError::bad_request(
            "missing_token",
            format!("This operation requires a token that starts with '{prefix}' to be passed."),
        ));
    }
    let head = value.get(..prefix.len()).unwrap_or_default();
    if !head.eq_ignore_ascii_case(prefix) {
        let start: String = value.chars().take(10).collect();
        return Err(DomainError::bad_request(
            "invalid_token",
            format!(
                "The token you supplied is not correct. It should start with '{prefix}'. The value you sent started with '{start}'."
            ),
        ));
    }
    let body = &value[prefix.len()..];
    let decodes = URL_SAFE_NO_PAD.decode(body).map(|b| b.len() == 24).unwrap_or(false);
    if !decodes {
        return Err(DomainError::bad_request(
            "invalid_token_format",
            "The token you supplied is not correct. It should be valid base64url.",
        ));
    }
    Ok(hash_body(body))
}

fn not_valid() -> DomainError {
    DomainError::bad_request(
        "invalid_token",
        "The token you supplied was not valid. It could be that the token has expired or that it was not issued for this tenant.",
    )
}

fn check_expiry(record: TokenRecord, now: DateTime<Utc>) -> Result<TokenRecord, DomainError> {
    // The contract: `expiresAt >= now` is still valid.
    if record.expires_at < now {
        let seconds_ago = (now - record.expires_at).num_seconds();
        return Err(DomainError::ExpiredToken { seconds_ago });
    }
    Ok(record)
}

/// The expired-token title, e.g. "The token expired 10 seconds ago.".
pub fn expired_title(seconds_ago: i64) -> String {
    format!("The token expired {} ago.", humanize_seconds(seconds_ago))
}

/// Accepts a looked-up token if it exists, is of `kind` and has not expired.
pub fn accept(
    record: Option<TokenRecord>,
    kind: TokenKind,
    now: DateTime<Utc>,
) -> Result<TokenRecord, DomainError> {
    match record {
        Some(record) if record.kind == kind => check_expiry(record, now),
        _ => Err(not_valid()),
    }
}

/// Reads a reusable token (register tokens, and sessions before their atomic commit).
pub async fn read(
    store: &dyn TokenStore,
    app_id: &str,
    kind: TokenKind,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TokenRecord, DomainError> {
    let hash = parse(kind, value)?;
    accept(store.get_token(app_id, &hash).await?, kind, now)
}

/// Consumes a single-use token (verify tokens): of concurrent callers, one wins.
pub async fn consume(
    store: &dyn TokenStore,
    app_id: &str,
    kind: TokenKind,
    value: Option<&str>,
    now: DateTime<Utc>,
) -> Result<TokenRecord, DomainError> {
    let hash = parse(kind, value)?;
    accept(store.take_token(app_id, &hash).await?, kind, now)
}

/// The error for a token that was valid when read but was consumed before our commit.
pub fn already_used() -> DomainError {
    not_valid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_tokens_parse_back_to_their_hash() {
        let (value, hash) = mint(TokenKind::Verify);
        assert!(value.starts_with("verify_"));
        assert_eq!(parse(TokenKind::Verify, Some(&value)).ok(), Some(hash.clone()));
        let upper = format!("VERIFY_{}", &value[7..]);
        assert_eq!(parse(TokenKind::Verify, Some(&upper)).ok(), Some(hash));
    }

    #[test]
    fn bad_tokens_get_the_contract_codes() {
        let code = |r: Result<String, DomainError>| match r {
            Err(DomainError::BadRequest { code, .. }) => code,
            _ => None,
        };
        assert_eq!(code(parse(TokenKind::Verify, None)), Some("missing_token"));
        assert_eq!(code(parse(TokenKind::Verify, Some(""))), Some("missing_token"));
        assert_eq!(code(parse(TokenKind::Verify, Some("register_abc"))), Some("invalid_token"));
        assert_eq!(
            code(parse(TokenKind::Verify, Some("verify_***"))),
            Some("invalid_token_format")
        );
        assert_eq!(
            code(parse(TokenKind::Verify, Some("verify_YWJj"))),
            Some("invalid_token_format")
        );
    }

    #[test]
    fn expired_title_matches_contract() {
        assert_eq!(expired_title(10), "The token expired 10 seconds ago.");
    }
}
