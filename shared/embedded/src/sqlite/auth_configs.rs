//! Authentication configurations: one row per (app, purpose); the last use is its own column.

use super::{SqliteStore, from_json, is_unique_violation, millis_to_time, to_json, unavailable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::AuthConfig;
use ferrokey_core::ports::{AuthConfigStore, StoreResult};
use rusqlite::params;

fn config(record: &str, last_used: Option<i64>) -> StoreResult<AuthConfig> {
    let mut config: AuthConfig = from_json(record)?;
    config.last_used_on = last_used.map(millis_to_time).transpose()?;
    Ok(config)
}

/// The record as stored: without the last use, which has its own column.
fn record(config: &AuthConfig) -> StoreResult<String> {
    to_json(&AuthConfig { last_used_on: None, ..config.clone() })
}

#[async_trait]
impl AuthConfigStore for SqliteStore {
    async fn get_auth_config(
        &self,
        app_id: &str,
        purpose: &str,
    ) -> StoreResult<Option<AuthConfig>> {
        let (app_id, purpose) = (app_id.to_string(), purpose.to_string());
        self.with(move |conn| {
            let row = conn
                .prepare_cached(
                    "SELECT record, last_used_on FROM auth_configs WHERE app_id = ?1 AND purpose = ?2",
                )
                .and_then(|mut s| {
                    s.query_row(params![app_id, purpose], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?))
                    })
                })
                .map(Some)
                .or_else(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    other => Err(other),
                })
                .map_err(unavailable)?;
            row.map(|(text, used)| config(&text, used)).transpose()
        })
        .await
    }

    async fn list_auth_configs(&self, app_id: &str) -> StoreResult<Vec<AuthConfig>> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT record, last_used_on FROM auth_configs WHERE app_id = ?1 ORDER BY purpose",
                )
                .map_err(unavailable)?;
            let rows: Vec<(String, Option<i64>)> = stmt
                .query_map([app_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            rows.iter().map(|(text, used)| config(text, *used)).collect()
        })
        .await
    }

    async fn add_auth_config(&self, config: &AuthConfig) -> StoreResult<()> {
        let c = config.clone();
        self.with(move |conn| {
            match conn.execute(
                "INSERT INTO auth_configs (app_id, purpose, record, last_used_on) VALUES (?1, ?2, ?3, ?4)",
                params![c.app_id, c.purpose, record(&c)?, c.last_used_on.map(|t| t.timestamp_millis())],
            ) {
                Err(e) if is_unique_violation(&e) => {
                    Err(StoreError::Conflict(format!("configuration {}", c.purpose)))
                }
                other => other.map(|_| ()).map_err(unavailable),
            }
        })
        .await
    }

    async fn replace_auth_config(&self, config: &AuthConfig) -> StoreResult<bool> {
        let c = config.clone();
        self.with(move |conn| {
            conn.execute(
                "UPDATE auth_configs SET record = ?1 WHERE app_id = ?2 AND purpose = ?3",
                params![record(&c)?, c.app_id, c.purpose],
            )
            .map(|n| n > 0)
            .map_err(unavailable)
        })
        .await
    }

    async fn delete_auth_config(&self, app_id: &str, purpose: &str) -> StoreResult<bool> {
        let (app_id, purpose) = (app_id.to_string(), purpose.to_string());
        self.with(move |conn| {
            conn.execute(
                "DELETE FROM auth_configs WHERE app_id = ?1 AND purpose = ?2",
                params![app_id, purpose],
            )
            .map(|n| n > 0)
            .map_err(unavailable)
        })
        .await
    }

    async fn touch_auth_config(&self, preset: &AuthConfig, at: DateTime<Utc>) -> StoreResult<()> {
        let c = preset.clone();
        self.with(move |conn| {
            conn.execute(
                "INSERT INTO auth_configs (app_id, purpose, record, last_used_on) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (app_id, purpose) DO UPDATE SET last_used_on = excluded.last_used_on",
                params![c.app_id, c.purpose, record(&c)?, at.timestamp_millis()],
            )
            .map(|_| ())
            .map_err(unavailable)
        })
        .await
    }
}
