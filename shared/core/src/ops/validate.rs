//! Field rules shared by several operations, producing validation problems (§4).

use crate::error::DomainError;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// WebAuthn user handles are at most 64 bytes; browsers refuse longer ones.
pub const MAX_USER_ID_BYTES: usize = 64;
pub const MAX_ALIASES: usize = 10;
pub const MAX_ALIAS_CHARS: usize = 250;

/// Collects validation messages per field.
#[derive(Debug, Default)]
pub struct Errors(BTreeMap<String, Vec<String>>);

impl Errors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_string()).or_default().push(message.into());
    }
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() { Ok(()) } else { Err(DomainError::Validation(self.0)) }
    }
}

/// A required user id: present, non-empty, at most 64 UTF-8 bytes.
pub fn user_id(errors: &mut Errors, value: Option<&str>) {
    match value {
        None | Some("") => errors.add("userId", "The UserId field is required."),
        Some(v) if v.len() > MAX_USER_ID_BYTES => errors.add(
            "userId",
            "The UserId field must be at most 64 bytes of UTF-8 (the WebAuthn user handle limit).",
        ),
        Some(_) => {}
    }
}

/// An optional user id: if present, at most 64 UTF-8 bytes.
pub fn optional_user_id(errors: &mut Errors, value: Option<&str>) {
    if value.is_some_and(|v| v.len() > MAX_USER_ID_BYTES) {
        user_id(errors, value);
    }
}

/// Alias list limits: ≤ 10 items, each non-empty and ≤ 250 characters.
pub fn aliases(errors: &mut Errors, field: &str, values: &[String]) {
    if values.len() > MAX_ALIASES {
        errors.add(field, format!("At most {MAX_ALIASES} aliases are allowed."));
    }
    for alias in values {
        if alias.is_empty() {
            errors.add(field, "An alias must not be empty.");
        } else if alias.chars().count() > MAX_ALIAS_CHARS {
            errors.add(field, format!("An alias must be at most {MAX_ALIAS_CHARS} characters."));
        }
    }
}

/// Alias storage hash: standard base64 of SHA-256(UTF-8(appId + alias)), as upstream, so aliases
/// are case-sensitive and cannot be enumerated across tenants.
pub fn alias_hash(app_id: &str, alias: &str) -> String {
    let digest = Sha256::digest(format!("{app_id}{alias}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(digest)
}

/// Longest lifetime a caller may give a generated token or magic link: 7 days.
pub const MAX_TOKEN_TTL_SECONDS: i64 = 604_800;

/// An optional `timeToLive` in seconds, 1..=7 days; `default` when absent.
pub fn time_to_live(errors: &mut Errors, value: Option<i64>, default: i64) -> i64 {
    match value {
        None => default,
        Some(ttl) if (1..=MAX_TOKEN_TTL_SECONDS).contains(&ttl) => ttl,
        Some(_) => {
            errors.add(
                "timeToLive",
                format!("The field TimeToLive must be between 1 and {MAX_TOKEN_TTL_SECONDS}."),
            );
            default
        }
    }
}

/// Purposes name authentication configurations: word characters and `-`, at most 255.
pub const MAX_PURPOSE_CHARS: usize = 255;

/// A purpose is valid when it matches upstream's `^[\w\-]*$` and is at most 255 characters.
pub fn is_valid_purpose(purpose: &str) -> bool {
    purpose.chars().count() <= MAX_PURPOSE_CHARS
        && purpose.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// An optional purpose member.
pub fn purpose(errors: &mut Errors, value: Option<&str>) {
    if value.is_some_and(|p| !is_valid_purpose(p)) {
        errors.add(
            "purpose",
            format!(
                "The purpose may only contain letters, digits, '_' and '-', at most {MAX_PURPOSE_CHARS} of them."
            ),
        );
    }
}
