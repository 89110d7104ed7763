//! Users: alias sets, credential deletion, user listings and deletion.
//!
//! Counting users reads the app's `users-with-passkeys` counter row, which triggers on
//! `credentials` keep exact (see migration 2 in `mod.rs`): one primary-key lookup, whatever
//! the app's size. Deleting credentials here is plain row DELETEs, which those triggers see.

use super::credentials::replace_aliases;
use super::{SqliteStore, USERS_COUNTER, from_json, millis_to_time, unavailable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::model::{AliasRecord, StoredCredential};
use ferrokey_core::ports::{StoreResult, UserStats, UserStore, UserSummary};
use rusqlite::{OptionalExtension, params};
use std::collections::BTreeMap;

#[async_trait]
impl UserStore for SqliteStore {
    async fn set_aliases(
        &self,
        app_id: &str,
        user_id: &str,
        aliases: &[AliasRecord],
    ) -> StoreResult<()> {
        let (app_id, user_id, aliases) =
            (app_id.to_string(), user_id.to_string(), aliases.to_vec());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            replace_aliases(&tx, &app_id, &user_id, &aliases)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn list_aliases(&self, app_id: &str, user_id: &str) -> StoreResult<Vec<AliasRecord>> {
        let (app_id, user_id) = (app_id.to_string(), user_id.to_string());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT alias_hash, plaintext FROM aliases WHERE app_id = ?1 AND user_id = ?2 ORDER BY alias_hash",
                )
                .map_err(unavailable)?;
            let rows = stmt
                .query_map(params![app_id, user_id], |r| {
                    Ok(AliasRecord { alias_hash: r.get(0)?, plaintext: r.get(1)? })
                })
                .map_err(unavailable)?;
            rows.collect::<Result<_, _>>().map_err(unavailable)
        })
        .await
    }

    async fn delete_credential(
        &self,
        app_id: &str,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredCredential>> {
        let (app_id, credential_id) = (app_id.to_string(), credential_id.to_vec());
        self.with(move |conn| {
            let text: Option<String> = conn
                .query_row(
                    "DELETE FROM credentials WHERE app_id = ?1 AND credential_id = ?2 RETURNING record",
                    params![app_id, credential_id],
                    |r| r.get(0),
                )
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    other => Err(other),
                })
                .map_err(unavailable)?;
            text.map(|t| from_json(&t)).transpose()
        })
        .await
    }

    async fn list_users(
        &self,
        app_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<UserSummary>> {
        let app_id = app_id.to_string();
        let after = after.unwrap_or_default().to_string();
        self.with(move |conn| {
            // Users are the union of credential owners and alias owners; `last_used` is NULL
            // for users who only have aliases.
            let mut stmt = conn
                .prepare_cached(
                    "SELECT user_id, SUM(creds), MAX(last_used) FROM (
                         SELECT user_id, 1 AS creds, last_used_at AS last_used FROM credentials WHERE app_id = ?1 AND user_id > ?3
                         UNION ALL
                         SELECT user_id, 0, NULL FROM aliases WHERE app_id = ?1 AND user_id > ?3)
                     GROUP BY user_id ORDER BY user_id LIMIT ?2",
                )
                .map_err(unavailable)?;
            let rows: Vec<(String, i64, Option<i64>)> = stmt
                .query_map(params![app_id, limit as i64, after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            let mut users = BTreeMap::new();
            for (user_id, creds, last_used) in rows {
                let summary = UserSummary {
                    user_id: user_id.clone(),
                    aliases: vec![],
                    credentials: u64::try_from(creds).unwrap_or_default(),
                    last_used_at: last_used.map(millis_to_time).transpose()?,
                };
                users.insert(user_id, summary);
            }
            let mut stmt = conn
                .prepare_cached(
                    "SELECT user_id, plaintext FROM aliases WHERE app_id = ?1 ORDER BY user_id, alias_hash",
                )
                .map_err(unavailable)?;
            let aliases = stmt
                .query_map(params![app_id], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))
                .map_err(unavailable)?;
            for alias in aliases {
                let (user_id, plaintext) = alias.map_err(unavailable)?;
                if let Some(user) = users.get_mut(&user_id) {
                    user.aliases.push(plaintext);
                }
            }
            Ok(users.into_values().collect())
        })
        .await
    }

    async fn count_users(&self, app_id: &str) -> StoreResult<u64> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            let value: Option<i64> = conn
                .prepare_cached("SELECT value FROM counters WHERE app_id = ?1 AND name = ?2")
                .and_then(|mut s| s.query_row(params![app_id, USERS_COUNTER], |r| r.get(0)))
                .optional()
                .map_err(unavailable)?;
            // No row before the app's first user with a passkey.
            Ok(value.and_then(|n| u64::try_from(n).ok()).unwrap_or_default())
        })
        .await
    }

    async fn user_stats(
        &self,
        app_id: &str,
        day_start: DateTime<Utc>,
        week_start: DateTime<Utc>,
    ) -> StoreResult<UserStats> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            // A user is active since a moment when one of their passkeys was used since then.
            conn.query_row(
                "SELECT COUNT(DISTINCT user_id), COUNT(*),
                        COUNT(DISTINCT CASE WHEN last_used_at >= ?2 THEN user_id END),
                        COUNT(DISTINCT CASE WHEN last_used_at >= ?3 THEN user_id END)
                 FROM credentials WHERE app_id = ?1",
                params![app_id, day_start.timestamp_millis(), week_start.timestamp_millis()],
                |r| {
                    let n =
                        |i: usize| r.get::<_, i64>(i).map(|v| u64::try_from(v).unwrap_or_default());
                    Ok(UserStats {
                        users: n(0)?,
                        credentials: n(1)?,
                        active_since_day: n(2)?,
                        active_since_week: n(3)?,
                    })
                },
            )
            .map_err(unavailable)
        })
        .await
    }

    async fn delete_user(&self, app_id: &str, user_id: &str) -> StoreResult<u64> {
        let (app_id, user_id) = (app_id.to_string(), user_id.to_string());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let gone = tx
                .execute(
                    "DELETE FROM credentials WHERE app_id = ?1 AND user_id = ?2",
                    params![app_id, user_id],
                )
                .map_err(unavailable)?;
            tx.execute(
                "DELETE FROM aliases WHERE app_id = ?1 AND user_id = ?2",
                params![app_id, user_id],
            )
            .map_err(unavailable)?;
            tx.commit().map_err(unavailable)?;
            Ok(gone as u64)
        })
        .await
    }
}
