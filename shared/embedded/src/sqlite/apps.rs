//! Apps and API keys.

use super::{SqliteStore, corrupt, from_json, is_unique_violation, to_json, unavailable};
use async_trait::async_trait;
use ferrokey_core::StoreError;
use ferrokey_core::model::{ApiKeyRecord, App};
use ferrokey_core::ports::{AppStore, StoreResult};
use rusqlite::{OptionalExtension, params};

#[async_trait]
impl AppStore for SqliteStore {
    async fn create_app(&self, app: &App, keys: &[ApiKeyRecord]) -> StoreResult<()> {
        let app = app.clone();
        let keys = keys.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
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
}
