//! Apps and API keys.

use super::{SqliteStore, corrupt, from_json, is_unique_violation, records, to_json, unavailable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{ApiKeyRecord, App};
use ferrokey_core::ports::KeyDeletion;
use ferrokey_core::ports::{AppStore, StoreResult};
use rusqlite::{OptionalExtension, params};

#[async_trait]
impl AppStore for SqliteStore {
    async fn create_app(&self, app: &App, keys: &[ApiKeyRecord]) -> StoreResult<()> {
        let app = app.clone();
        let keys = keys.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let gone: Option<i64> = tx
                .query_row("SELECT 1 FROM deleted_apps WHERE app_id = ?1", [&app.app_id], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(unavailable)?;
            if gone.is_some() {
                return Err(StoreError::Conflict(format!("app {} was deleted", app.app_id)));
            }
            match tx.execute(
                "INSERT INTO apps (app_id, record) VALUES (?1, ?2)",
                params![app.app_id, to_json(&app)?],
            ) {
                Err(e) if is_unique_violation(&e) => {
                    return Err(StoreError::Conflict(format!("app {}", app.app_id)));
                }
                other => other.map_err(unavailable)?,
            };
            for key in &keys {
                tx.execute(
                    "INSERT INTO api_keys (key_hash, app_id, key_id, record) VALUES (?1, ?2, ?3, ?4)",
                    params![key.key_hash, key.app_id, key.key_id, to_json(key)?],
                )
                .map_err(unavailable)?;
            }
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn get_app(&self, app_id: &str) -> StoreResult<Option<App>> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            let text: Option<String> = conn
                .query_row("SELECT record FROM apps WHERE app_id = ?1", [app_id], |r| r.get(0))
                .optional()
                .map_err(unavailable)?;
            text.map(|t| from_json(&t)).transpose()
        })
        .await
    }

    async fn list_apps(&self) -> StoreResult<Vec<String>> {
        self.with(|conn| {
            let mut stmt =
                conn.prepare("SELECT app_id FROM apps ORDER BY app_id").map_err(unavailable)?;
            let ids = stmt
                .query_map([], |r| r.get(0))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            Ok(ids)
        })
        .await
    }

    async fn update_app(&self, app: &App) -> StoreResult<()> {
        let expected = i64::try_from(app.revision).map_err(corrupt)?;
        let mut new = app.clone();
        new.revision += 1;
        self.with(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE apps SET record = ?1 WHERE app_id = ?2
                     AND COALESCE(json_extract(record, '$.revision'), 0) = ?3",
                    params![to_json(&new)?, new.app_id, expected],
                )
                .map_err(unavailable)?;
            if changed == 0 {
                return Err(StoreError::Conflict(format!("app {} changed", new.app_id)));
            }
            Ok(())
        })
        .await
    }

    async fn get_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        let key_hash = key_hash.to_string();
        self.with(move |conn| {
            let text: Option<String> = conn
                .prepare_cached("SELECT record FROM api_keys WHERE key_hash = ?1")
                .map_err(unavailable)?
                .query_row([key_hash], |r| r.get(0))
                .optional()
                .map_err(unavailable)?;
            text.map(|t| from_json(&t)).transpose()
        })
        .await
    }

    async fn add_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()> {
        let key = key.clone();
        self.with(move |conn| {
            match conn.execute(
                "INSERT INTO api_keys (key_hash, app_id, key_id, record) VALUES (?1, ?2, ?3, ?4)",
                params![key.key_hash, key.app_id, key.key_id, to_json(&key)?],
            ) {
                Err(e) if is_unique_violation(&e) => Err(StoreError::Conflict("api key".into())),
                other => other.map(|_| ()).map_err(unavailable),
            }
        })
        .await
    }

    async fn set_api_key_locked(
        &self,
        app_id: &str,
        key_id: &str,
        locked: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (app_id, key_id) = (app_id.to_string(), key_id.to_string());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let rows: Vec<(String, String)> = {
                let mut stmt = tx
                    .prepare(
                        "SELECT key_hash, record FROM api_keys WHERE app_id = ?1 AND key_id = ?2",
                    )
                    .map_err(unavailable)?;
                let mapped = stmt
                    .query_map(params![app_id, key_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(unavailable)?;
                mapped.collect::<Result<_, _>>().map_err(unavailable)?
            };
            for (hash, text) in &rows {
                let mut record: ApiKeyRecord = from_json(text)?;
                record.locked = locked;
                if locked {
                    record.last_locked_at = Some(at);
                } else {
                    record.last_unlocked_at = Some(at);
                }
                tx.execute(
                    "UPDATE api_keys SET record = ?1 WHERE key_hash = ?2",
                    params![to_json(&record)?, hash],
                )
                .map_err(unavailable)?;
            }
            tx.commit().map_err(unavailable)?;
            Ok(!rows.is_empty())
        })
        .await
    }

    async fn list_api_keys(&self, app_id: &str) -> StoreResult<Vec<ApiKeyRecord>> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            records(
                conn,
                "SELECT record FROM api_keys WHERE app_id = ?1 ORDER BY key_id, key_hash",
                [app_id],
            )
        })
        .await
    }

    async fn delete_api_key(&self, app_id: &str, key_id: &str) -> StoreResult<KeyDeletion> {
        let (app_id, key_id) = (app_id.to_string(), key_id.to_string());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let deleted = tx
                .execute(
                    "DELETE FROM api_keys WHERE app_id = ?1 AND key_id = ?2
                     AND json_extract(record, '$.locked') = 1",
                    params![app_id, key_id],
                )
                .map_err(unavailable)?;
            let left: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM api_keys WHERE app_id = ?1 AND key_id = ?2",
                    params![app_id, key_id],
                    |r| r.get(0),
                )
                .map_err(unavailable)?;
            tx.commit().map_err(unavailable)?;
            Ok(match (deleted, left) {
                (0, 0) => KeyDeletion::NotFound,
                (_, 0) => KeyDeletion::Deleted,
                _ => KeyDeletion::NotLocked,
            })
        })
        .await
    }

    async fn list_org_apps(&self, org: &str) -> StoreResult<Vec<App>> {
        let org = org.to_string();
        self.with(move |conn| {
            records(
                conn,
                "SELECT record FROM apps WHERE json_extract(record, '$.org') = ?1 ORDER BY app_id",
                [org],
            )
        })
        .await
    }

    async fn delete_app(&self, app_id: &str) -> StoreResult<bool> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let existed =
                tx.execute("DELETE FROM apps WHERE app_id = ?1", [&app_id]).map_err(unavailable)?;
            if existed == 0 {
                return Ok(false);
            }
            for table in [
                "api_keys",
                "credentials",
                "aliases",
                "tokens",
                "auth_configs",
                "events",
                "reports",
                "counters",
            ] {
                tx.execute(&format!("DELETE FROM {table} WHERE app_id = ?1"), [&app_id])
                    .map_err(unavailable)?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO deleted_apps (app_id, deleted_at) VALUES (?1, ?2)",
                params![app_id, Utc::now().timestamp_millis()],
            )
            .map_err(unavailable)?;
            tx.commit().map_err(unavailable)?;
            Ok(true)
        })
        .await
    }

    async fn app_id_taken(&self, app_id: &str) -> StoreResult<bool> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM apps WHERE app_id = ?1)
                     OR EXISTS (SELECT 1 FROM deleted_apps WHERE app_id = ?1)",
                [app_id],
                |r| r.get(0),
            )
            .map_err(unavailable)
        })
        .await
    }
}
