//! Credentials and aliases.

use super::{SqliteStore, from_json, unavailable};
use async_trait::async_trait;
use ferrokey_core::StoreError;
use ferrokey_core::model::{AliasRecord, StoredCredential};
use ferrokey_core::ports::{AliasOwner, CONFLICT_ALIAS, CredentialStore, StoreResult};
use rusqlite::{Connection, OptionalExtension, params};

/// Replaces a user's aliases inside `tx`; `Conflict(CONFLICT_ALIAS)` if one belongs to another user.
pub(super) fn replace_aliases(
    tx: &rusqlite::Transaction<'_>,
    app_id: &str,
    user_id: &str,
    aliases: &[AliasRecord],
) -> StoreResult<()> {
    for alias in aliases {
        let owner: Option<String> = tx
            .query_row(
                "SELECT user_id FROM aliases WHERE app_id = ?1 AND alias_hash = ?2",
                params![app_id, alias.alias_hash],
                |r| r.get(0),
            )
            .optional()
            .map_err(unavailable)?;
        if owner.is_some_and(|o| o != user_id) {
            return Err(StoreError::Conflict(CONFLICT_ALIAS.into()));
        }
    }
    tx.execute("DELETE FROM aliases WHERE app_id = ?1 AND user_id = ?2", params![app_id, user_id])
        .map_err(unavailable)?;
    for alias in aliases {
        tx.execute(
            "INSERT OR REPLACE INTO aliases (app_id, alias_hash, user_id, plaintext) VALUES (?1, ?2, ?3, ?4)",
            params![app_id, alias.alias_hash, user_id, alias.plaintext],
        )
        .map_err(unavailable)?;
    }
    Ok(())
}

#[async_trait]
impl CredentialStore for SqliteStore {
    async fn get_credential(
        &self,
        app_id: &str,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredCredential>> {
        let (app_id, credential_id) = (app_id.to_string(), credential_id.to_vec());
        self.with(move |conn| select_credential(conn, &app_id, &credential_id)).await
    }

    async fn list_credential_ids(&self, app_id: &str, user_id: &str) -> StoreResult<Vec<Vec<u8>>> {
        let (app_id, user_id) = (app_id.to_string(), user_id.to_string());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT credential_id FROM credentials WHERE app_id = ?1 AND user_id = ?2 ORDER BY rowid",
                )
                .map_err(unavailable)?;
            let ids = stmt
                .query_map(params![app_id, user_id], |r| r.get(0))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            Ok(ids)
        })
        .await
    }

    async fn list_credentials(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<StoredCredential>> {
        let (app_id, user_id) = (app_id.to_string(), user_id.to_string());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT record FROM credentials WHERE app_id = ?1 AND user_id = ?2 ORDER BY rowid")
                .map_err(unavailable)?;
            let texts: Vec<String> = stmt
                .query_map(params![app_id, user_id], |r| r.get(0))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            texts.iter().map(|t| from_json(t)).collect()
        })
        .await
    }

    async fn alias_owners(
        &self,
        app_id: &str,
        alias_hashes: &[String],
    ) -> StoreResult<Vec<AliasOwner>> {
        let (app_id, hashes) = (app_id.to_string(), alias_hashes.to_vec());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT user_id FROM aliases WHERE app_id = ?1 AND alias_hash = ?2")
                .map_err(unavailable)?;
            let mut owners = Vec::new();
            for hash in hashes {
                let user: Option<String> = stmt
                    .query_row(params![app_id, hash], |r| r.get(0))
                    .optional()
                    .map_err(unavailable)?;
                if let Some(user_id) = user {
                    owners.push(AliasOwner { alias_hash: hash, user_id });
                }
            }
            Ok(owners)
        })
        .await
    }
}

pub(super) fn select_credential(
    conn: &Connection,
    app_id: &str,
    credential_id: &[u8],
) -> StoreResult<Option<StoredCredential>> {
    let text: Option<String> = conn
        .prepare_cached("SELECT record FROM credentials WHERE app_id = ?1 AND credential_id = ?2")
        .and_then(|mut s| s.query_row(params![app_id, credential_id], |r| r.get(0)))
        .optional()
        .map_err(unavailable)?;
    text.map(|t| from_json(&t)).transpose()
}
