//! The backend's user management: aliases (`/alias`, `/alias/list`), credentials
//! (`/credentials/list`, `/credentials/delete`) and users (`/users/list`, `/users/count`,
//! `/users/delete`).

use super::audit;
use super::validate::{self, Errors};
use crate::StoreError;
use crate::error::DomainError;
use crate::events::EventKind;
use crate::keys::Caller;
use crate::model::{AliasRecord, StoredCredential};
use crate::ports::{CONFLICT_ALIAS, UserSummary};
use crate::service::Service;

/// Upstream lists at most 1000 users per call.
pub const MAX_LISTED_USERS: usize = 1000;

/// Hashes (or keeps, when hashing is off) a list of aliases; duplicates collapse to one.
pub fn alias_records(app_id: &str, aliases: &[String], hashing: bool) -> Vec<AliasRecord> {
    let mut records: Vec<AliasRecord> = Vec::with_capacity(aliases.len());
    for alias in aliases {
        let alias_hash = validate::alias_hash(app_id, alias);
        if records.iter().any(|r| r.alias_hash == alias_hash) {
            continue;
        }
        records.push(AliasRecord { alias_hash, plaintext: (!hashing).then(|| alias.clone()) });
    }
    records
}

/// A required user id of a backend call.
fn required_user_id(value: Option<&str>) -> Result<String, DomainError> {
    let mut errors = Errors::default();
    validate::user_id(&mut errors, value);
    errors.into_result()?;
    Ok(value.unwrap_or_default().to_string())
}

/// `POST /alias`: replaces the user's aliases (an empty list removes them all).
pub async fn set_aliases(
    svc: &Service,
    caller: &Caller,
    user_id: Option<&str>,
    aliases: Option<Vec<String>>,
    hashing: Option<bool>,
) -> Result<(), DomainError> {
    let mut errors = Errors::default();
    validate::user_id(&mut errors, user_id);
    let aliases = aliases.unwrap_or_default();
    validate::aliases(&mut errors, "aliases", &aliases);
    errors.into_result()?;
    let user_id = user_id.unwrap_or_default();
    let records = alias_records(&caller.app_id, &aliases, hashing.unwrap_or(true));
    match svc.store.set_aliases(&caller.app_id, user_id, &records).await {
        Ok(()) => {
            let message = format!("Set {} aliases for {user_id}", records.len());
            let event = audit::event(svc, caller, EventKind::ApiUserSetAliases, user_id, message);
            audit::record(svc, vec![event]).await;
            Ok(())
        }
        Err(StoreError::Conflict(what)) if what == CONFLICT_ALIAS => {
            Err(DomainError::AliasConflict)
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /alias/list?userId=`.
pub async fn list_aliases(
    svc: &Service,
    caller: &Caller,
    user_id: Option<&str>,
) -> Result<Vec<AliasRecord>, DomainError> {
    let user_id = user_id.unwrap_or_default();
    if user_id.is_empty() {
        return Err(DomainError::bad_request_uncoded("UserId is empty"));
    }
    let user_id = required_user_id(Some(user_id))?;
    Ok(svc.store.list_aliases(&caller.app_id, &user_id).await?)
}

/// `GET|POST /credentials/list`: the user's passkeys, oldest first. A user id too long to be a
/// user handle has no passkeys, but we say why instead of returning an empty list.
pub async fn list_credentials(
    svc: &Service,
    caller: &Caller,
    user_id: Option<&str>,
) -> Result<Vec<StoredCredential>, DomainError> {
    let user_id = required_user_id(user_id)?;
    Ok(svc.store.list_credentials(&caller.app_id, &user_id).await?)
}

/// `POST /credentials/delete`: 404 `credential_not_found` for an id the app does not have.
pub async fn delete_credential(
    svc: &Service,
    caller: &Caller,
    credential_id: &[u8],
) -> Result<StoredCredential, DomainError> {
    let deleted =
        svc.store.delete_credential(&caller.app_id, credential_id).await?.ok_or_else(|| {
            DomainError::NotFound {
                code: Some("credential_not_found"),
                title: "The credential does not exist.".into(),
            }
        })?;
    let user = &deleted.user_id;
    let message = format!("Deleted a credential of {user}");
    audit::record(
        svc,
        vec![audit::event(svc, caller, EventKind::ApiUserDeleteCredential, user, message)],
    )
    .await;
    Ok(deleted)
}

/// `GET /users/list`.
pub async fn list_users(svc: &Service, caller: &Caller) -> Result<Vec<UserSummary>, DomainError> {
    Ok(svc.store.list_users(&caller.app_id, None, MAX_LISTED_USERS).await?)
}

/// `GET /users/count`: users with at least one passkey.
pub async fn count_users(svc: &Service, caller: &Caller) -> Result<u64, DomainError> {
    Ok(svc.store.count_users(&caller.app_id).await?)
}

/// `POST /users/delete`: removes the user's passkeys and aliases together. Deleting a user who
/// has nothing is not an error (the outcome the caller wants holds).
pub async fn delete_user(
    svc: &Service,
    caller: &Caller,
    user_id: Option<&str>,
) -> Result<u64, DomainError> {
    let user_id = required_user_id(user_id)?;
    let gone = svc.store.delete_user(&caller.app_id, &user_id).await?;
    let message = format!("Deleted user {user_id} and {gone} credentials");
    audit::record(
        svc,
        vec![audit::event(svc, caller, EventKind::ApiUserDeleted, &user_id, message)],
    )
    .await;
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::alias_records;

    #[test]
    fn duplicate_aliases_collapse_and_hashing_hides_plaintext() {
        let list = ["a@x".to_string(), "b@x".to_string(), "a@x".to_string()];
        let hashed = alias_records("app", &list, true);
        assert_eq!(hashed.len(), 2);
        assert!(hashed.iter().all(|r| r.plaintext.is_none()));
        let plain = alias_records("app", &list, false);
        assert_eq!(plain[0].plaintext.as_deref(), Some("a@x"));
        assert_ne!(alias_records("other", &list, true)[0].alias_hash, hashed[0].alias_hash);
    }
}
