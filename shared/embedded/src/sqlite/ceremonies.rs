//! The two ceremony completions, each one transaction.

use super::credentials::{replace_aliases, select_credential};
use super::events::insert_events;
use super::tokens::{insert_token, select_token};
use super::{SqliteStore, is_unique_violation, to_json, unavailable};
use async_trait::async_trait;
use ferrokey_core::StoreError;
use ferrokey_core::model::{StoredCredential, TokenRecord};
use ferrokey_core::ports::{
    CONFLICT_COUNTER, CONFLICT_CREDENTIAL, CONFLICT_SESSION, CONFLICT_USER_FULL, CeremonyStore,
    MAX_CREDENTIALS_PER_USER, RegistrationCommit, SigninCommit, StoreResult,
};
use rusqlite::params;

/// Deletes the session inside `tx`; `Conflict(CONFLICT_SESSION)` if it is already gone.
pub(super) fn consume_session(
    tx: &rusqlite::Transaction<'_>,
    app_id: &str,
    session_hash: &str,
) -> StoreResult<()> {
    let deleted = tx
        .prepare_cached(
            "DELETE FROM tokens WHERE token_hash = ?1 AND app_id = ?2 AND kind = 'session'",
        )
        .and_then(|mut s| s.execute(params![session_hash, app_id]))
        .map_err(unavailable)?;
    if deleted == 0 {
        return Err(StoreError::Conflict(CONFLICT_SESSION.into()));
    }
    Ok(())
}

#[async_trait]
impl CeremonyStore for SqliteStore {
    async fn load_signin(
        &self,
        app_id: &str,
        session_hash: &str,
        credential_id: &[u8],
    ) -> StoreResult<(Option<TokenRecord>, Option<StoredCredential>)> {
        let (app_id, session_hash, credential_id) =
            (app_id.to_string(), session_hash.to_string(), credential_id.to_vec());
        self.with(move |conn| {
            Ok((
                select_token(conn, &app_id, &session_hash)?,
                select_credential(conn, &app_id, &credential_id)?,
            ))
        })
        .await
    }

    async fn commit_signin(&self, commit: &SigninCommit) -> StoreResult<()> {
        let c = commit.clone();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            consume_session(&tx, &c.app_id, &c.session_hash)?;
            let Some(mut record) = select_credential(&tx, &c.app_id, &c.credential_id)?
                .filter(|r| r.signature_counter == c.change.expected_counter)
            else {
                return Err(StoreError::Conflict(CONFLICT_COUNTER.into()));
            };
            let change = &c.change;
            record.signature_counter = change.new_counter;
            record.backup_state = change.backup_state;
            record.backup_eligible = change.backup_eligible;
            record.last_used_at = change.last_used_at;
            record.country = change.country.clone();
            record.device = change.device.clone();
            let record = to_json(&record)?;
            tx.prepare_cached(
                "UPDATE credentials SET counter = ?1, record = ?2, last_used_at = ?3 WHERE app_id = ?4 AND credential_id = ?5",
            )
            .and_then(|mut s| {
                s.execute(params![
                    change.new_counter,
                    record,
                    change.last_used_at.timestamp_millis(),
                    c.app_id,
                    c.credential_id
                ])
            })
            .map_err(unavailable)?;
            insert_token(&tx, &c.verify_token)?;
            insert_events(&tx, &c.events)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn commit_registration(&self, commit: &RegistrationCommit) -> StoreResult<()> {
        let c = commit.clone();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let cred = &c.credential;
            consume_session(&tx, &cred.app_id, &c.session_hash)?;
            let held: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM credentials WHERE app_id = ?1 AND user_id = ?2",
                    params![cred.app_id, cred.user_id],
                    |r| r.get(0),
                )
                .map_err(unavailable)?;
            if held >= MAX_CREDENTIALS_PER_USER as i64 {
                return Err(StoreError::Conflict(CONFLICT_USER_FULL.into()));
            }
            match tx.execute(
                "INSERT INTO credentials (app_id, credential_id, user_id, counter, record, last_used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    cred.app_id,
                    cred.credential_id,
                    cred.user_id,
                    cred.signature_counter,
                    to_json(cred)?,
                    cred.last_used_at.timestamp_millis()
                ],
            ) {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::Conflict(CONFLICT_CREDENTIAL.into()));
                }
                other => other.map_err(unavailable)?,
            };
            if let Some(aliases) = &c.aliases {
                replace_aliases(&tx, &cred.app_id, &cred.user_id, aliases)?;
            }
            insert_token(&tx, &c.verify_token)?;
            insert_events(&tx, &c.events)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }
}
