//! Counters in fixed windows (rate limits, quotas): one row per (app, name).

use super::{SqliteStore, unavailable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::ports::{CounterStore, StoreResult};
use rusqlite::{OptionalExtension, params};

#[async_trait]
impl CounterStore for SqliteStore {
    async fn bump_counter(
        &self,
        app_id: &str,
        name: &str,
        limit: u64,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (app_id, name) = (app_id.to_string(), name.to_string());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with(move |conn| {
            if limit < 1 {
                return Ok(false);
            }
            // One statement: the increment only happens below the limit, so concurrent
            // callers cannot overshoot it.
            let changed = conn
                .prepare_cached(
                    "INSERT INTO counters (app_id, name, value, expires_at) VALUES (?1, ?2, 1, ?3)
                     ON CONFLICT (app_id, name) DO UPDATE SET value = value + 1 WHERE value < ?4",
                )
                .and_then(|mut s| {
                    s.execute(params![app_id, name, expires_at.timestamp_millis(), limit])
                })
                .map_err(unavailable)?;
            Ok(changed > 0)
        })
        .await
    }

    async fn read_counters(&self, app_id: &str, names: &[String]) -> StoreResult<Vec<u64>> {
        let (app_id, names) = (app_id.to_string(), names.to_vec());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached("SELECT value FROM counters WHERE app_id = ?1 AND name = ?2")
                .map_err(unavailable)?;
            names
                .iter()
                .map(|name| {
                    let value: Option<i64> = stmt
                        .query_row(params![app_id, name], |r| r.get(0))
                        .optional()
                        .map_err(unavailable)?;
                    Ok(value.and_then(|v| u64::try_from(v).ok()).unwrap_or_default())
                })
                .collect()
        })
        .await
    }

    async fn count_once(
        &self,
        app_id: &str,
        marker: &str,
        counter: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (app_id, marker, counter) =
            (app_id.to_string(), marker.to_string(), counter.to_string());
        self.with(move |conn| {
            // One transaction: the marker and the count change together or not at all.
            let tx = conn.transaction().map_err(unavailable)?;
            let expires = expires_at.timestamp_millis();
            let fresh = tx
                .prepare_cached(
                    "INSERT INTO counters (app_id, name, value, expires_at) VALUES (?1, ?2, 1, ?3)
                     ON CONFLICT (app_id, name) DO NOTHING",
                )
                .and_then(|mut s| s.execute(params![app_id, marker, expires]))
                .map_err(unavailable)?
                > 0;
            if fresh {
                tx.prepare_cached(
                    "INSERT INTO counters (app_id, name, value, expires_at) VALUES (?1, ?2, 1, ?3)
                     ON CONFLICT (app_id, name) DO UPDATE SET value = value + 1,
                         expires_at = MAX(expires_at, excluded.expires_at)",
                )
                .and_then(|mut s| s.execute(params![app_id, counter, expires]))
                .map_err(unavailable)?;
            }
            tx.commit().map_err(unavailable)?;
            Ok(fresh)
        })
        .await
    }
}
