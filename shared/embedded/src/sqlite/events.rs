//! The event log: one row per event, keyed by (app, time, id); the event as JSON.

use super::tokens::insert_token;
use super::{SqliteStore, from_json, to_json, unavailable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::events::Event;
use ferrokey_core::model::TokenRecord;
use ferrokey_core::ports::{EventStore, StoreResult};
use rusqlite::{Connection, params};

/// Default retention for apps whose record predates the setting.
const DEFAULT_RETENTION_DAYS: i64 = 365;

pub(super) fn insert_events(conn: &Connection, events: &[Event]) -> StoreResult<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO events (app_id, performed_at, id, record) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(unavailable)?;
    for e in events {
        stmt.execute(params![e.app_id, e.performed_at.timestamp_millis(), e.id, to_json(e)?])
            .map_err(unavailable)?;
    }
    Ok(())
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append_events(&self, events: &[Event]) -> StoreResult<()> {
        let events = events.to_vec();
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            insert_events(&tx, &events)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn put_token_with_events(
        &self,
        token: &TokenRecord,
        events: &[Event],
    ) -> StoreResult<()> {
        let (token, events) = (token.clone(), events.to_vec());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            insert_token(&tx, &token)?;
            insert_events(&tx, &events)?;
            tx.commit().map_err(unavailable)
        })
        .await
    }

    async fn list_events_between(
        &self,
        app_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            super::records(
                conn,
                "SELECT record FROM events WHERE app_id = ?1 AND performed_at >= ?2 AND performed_at < ?3
                 ORDER BY performed_at, id",
                params![app_id, from.timestamp_millis(), to.timestamp_millis()],
            )
        })
        .await
    }

    async fn list_events(
        &self,
        app_id: &str,
        since: DateTime<Utc>,
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT record FROM events WHERE app_id = ?1 AND performed_at >= ?2
                     ORDER BY performed_at DESC, id DESC LIMIT ?3 OFFSET ?4",
                )
                .map_err(unavailable)?;
            let rows: Vec<String> = stmt
                .query_map(
                    params![
                        app_id,
                        since.timestamp_millis(),
                        i64::try_from(limit).unwrap_or(i64::MAX),
                        i64::try_from(offset).unwrap_or(i64::MAX)
                    ],
                    |r| r.get(0),
                )
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            rows.iter().map(|t| from_json(t)).collect()
        })
        .await
    }

    async fn count_events(&self, app_id: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM events WHERE app_id = ?1 AND performed_at >= ?2",
                params![app_id, since.timestamp_millis()],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| u64::try_from(n).unwrap_or_default())
            .map_err(unavailable)
        })
        .await
    }

    async fn purge_events(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.with(move |conn| {
            conn.execute(
                "DELETE FROM events WHERE performed_at < ?1 - 86400000 * COALESCE(
                     (SELECT json_extract(a.record, '$.features.event_logging_retention_days')
                      FROM apps a WHERE a.app_id = events.app_id), ?2)",
                params![now.timestamp_millis(), DEFAULT_RETENTION_DAYS],
            )
            .map(|n| n as u64)
            .map_err(unavailable)
        })
        .await
    }
}
