//! The SQLite store: one file in WAL mode, one connection behind a mutex, every port method one
//! statement or one transaction run on the blocking pool.
//!
//! Tables: `apps`, `api_keys` (by key hash), `credentials` (by app + credential id, indexed by
//! user; the record as JSON plus the counter column that sign-ins compare-and-set and the
//! last-use column user listings aggregate), `aliases`
//! (by app + alias hash, indexed by user), `tokens` (by hash, with expiry), `admins` (by id,
//! unique email, indexed by organization), `deleted_apps` (tombstones of deleted app ids),
//! `counters` (by app + name, with expiry). Triggers on `credentials` keep each app's
//! `users-with-passkeys` counter (no expiry) equal to its distinct credential owners, so
//! counting users is one row read.

mod admins;
mod apps;
mod auth_configs;
mod ceremonies;
mod counters;
mod credentials;
mod events;
mod reports;
mod tokens;
mod users;

use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::ports::StoreResult;
use rusqlite::Connection;
use std::path::Path;
use std::sync::{Arc, Mutex};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS apps (
    app_id TEXT PRIMARY KEY,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    key_hash TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS api_keys_by_app ON api_keys (app_id, key_id);
CREATE TABLE IF NOT EXISTS credentials (
    app_id TEXT NOT NULL,
    credential_id BLOB NOT NULL,
    user_id TEXT NOT NULL,
    counter INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (app_id, credential_id)
);
CREATE INDEX IF NOT EXISTS credentials_by_user ON credentials (app_id, user_id);
CREATE TABLE IF NOT EXISTS aliases (
    app_id TEXT NOT NULL,
    alias_hash TEXT NOT NULL,
    user_id TEXT NOT NULL,
    plaintext TEXT,
    PRIMARY KEY (app_id, alias_hash)
);
CREATE INDEX IF NOT EXISTS aliases_by_user ON aliases (app_id, user_id);
CREATE TABLE IF NOT EXISTS tokens (
    token_hash TEXT PRIMARY KEY,
    app_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_expiry ON tokens (expires_at);
CREATE TABLE IF NOT EXISTS auth_configs (
    app_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    record TEXT NOT NULL,
    last_used_on INTEGER,
    PRIMARY KEY (app_id, purpose)
);
CREATE TABLE IF NOT EXISTS events (
    app_id TEXT NOT NULL,
    performed_at INTEGER NOT NULL,
    id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (app_id, performed_at, id)
);
CREATE TABLE IF NOT EXISTS reports (
    app_id TEXT NOT NULL,
    day TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (app_id, day)
);
CREATE TABLE IF NOT EXISTS admins (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    org TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS admins_by_org ON admins (org, email);
CREATE TABLE IF NOT EXISTS deleted_apps (
    app_id TEXT PRIMARY KEY,
    deleted_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    app_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (app_id, name)
);
";

/// Schema changes after the first release of [`SCHEMA`], applied in order; `PRAGMA user_version`
/// records how many ran. [`SCHEMA`] only ever gains new tables and indexes (`IF NOT EXISTS`);
/// anything that alters an existing table goes here, so old files are upgraded in place.
const MIGRATIONS: &[&str] = &[
    // 1: a credential's last use as its own column, so user listings aggregate it in SQL.
    "ALTER TABLE credentials ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
     UPDATE credentials SET last_used_at =
         CAST(ROUND((julianday(json_extract(record, '$.last_used_at')) - 2440587.5) * 86400000) AS INTEGER);",
    // 2: the app's users with passkeys as a counter row, so counting them is one row read.
    // Triggers move it when a user's first credential arrives and when the last one goes, in
    // the writing statement's transaction; every credential removal (one, a user's, an app's)
    // is a row DELETE they see. The expiry is the largest INTEGER, so the purge of expired
    // counter windows never takes it. The last statement counts the rows already there.
    "CREATE TRIGGER credentials_first_of_user AFTER INSERT ON credentials
     WHEN NOT EXISTS (SELECT 1 FROM credentials WHERE app_id = NEW.app_id AND user_id = NEW.user_id
                      AND credential_id <> NEW.credential_id)
     BEGIN
         INSERT INTO counters (app_id, name, value, expires_at)
         VALUES (NEW.app_id, 'users-with-passkeys', 1, 9223372036854775807)
         ON CONFLICT (app_id, name) DO UPDATE SET value = value + 1;
     END;
     CREATE TRIGGER credentials_last_of_user AFTER DELETE ON credentials
     WHEN NOT EXISTS (SELECT 1 FROM credentials WHERE app_id = OLD.app_id AND user_id = OLD.user_id)
     BEGIN
         UPDATE counters SET value = value - 1
         WHERE app_id = OLD.app_id AND name = 'users-with-passkeys';
     END;
     INSERT INTO counters (app_id, name, value, expires_at)
     SELECT app_id, 'users-with-passkeys', COUNT(DISTINCT user_id), 9223372036854775807
     FROM credentials WHERE true GROUP BY app_id
     ON CONFLICT (app_id, name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at;",
];

/// The counter row migration 2 keeps (see `users::count_users`).
pub(super) const USERS_COUNTER: &str = "users-with-passkeys";

/// Brings the file's schema up to date, one transaction per step.
fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let done: usize = conn
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .map_err(unavailable)?
        .try_into()
        .map_err(corrupt)?;
    for (index, step) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction().map_err(unavailable)?;
        tx.execute_batch(step).map_err(unavailable)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1)).map_err(unavailable)?;
        tx.commit().map_err(unavailable)?;
    }
    Ok(())
}

/// The SQLite store. Cloning shares the connection.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

pub(super) fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

pub(super) fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(corrupt)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(corrupt)
}

/// The JSON `record` column of every row `sql` selects, decoded.
pub(super) fn records<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> StoreResult<Vec<T>> {
    let mut stmt = conn.prepare(sql).map_err(unavailable)?;
    let rows: Vec<String> = stmt
        .query_map(params, |r| r.get(0))
        .map_err(unavailable)?
        .collect::<Result<_, _>>()
        .map_err(unavailable)?;
    rows.iter().map(|t| from_json(t)).collect()
}

pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

pub(super) fn millis_to_time(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(format!("timestamp {ms}")))
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and its schema.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let mut conn = Connection::open(path).map_err(unavailable)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(unavailable)?;
        conn.execute_batch(SCHEMA).map_err(unavailable)?;
        migrate(&mut conn)?;
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection, on the calling task's thread.
    ///
    /// Why not `spawn_blocking`: every statement here is short (WAL with `synchronous = NORMAL`
    /// does not fsync on commit), so the thread hop cost more than it saved. Measured with
    /// ../shared/bench's driver, server on one core: 1.02–1.10 ms of server CPU per sign-in
    /// ceremony with the hop, 0.80–0.85 ms without (bench/RESULTS.md). The price is that a WAL
    /// checkpoint's fsync briefly holds up the worker running it.
    pub(super) async fn with<T, F>(&self, f: F) -> StoreResult<T>
    where
        F: FnOnce(&mut Connection) -> StoreResult<T>,
    {
        let mut guard = self.conn.lock().map_err(|_| unavailable("sqlite connection poisoned"))?;
        f(&mut guard)
    }
}

#[cfg(test)]
mod tests {
    use super::SqliteStore;
    use ferrokey_core::ports::UserStore;

    /// A file written before migration 1 (no `last_used_at` column) opens, is upgraded in
    /// place, and keeps its credentials' last use.
    #[tokio::test]
    async fn old_files_are_migrated_in_place() {
        let dir = std::env::temp_dir().join(format!("ferrokey-migrate-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("old.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(super::SCHEMA).unwrap();
            conn.execute(
                "INSERT INTO credentials (app_id, credential_id, user_id, counter, record) VALUES ('a', x'01', 'u', 0, ?1)",
                [r#"{"last_used_at":"2024-05-01T10:00:00.250Z"}"#],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        let users = store.list_users("a", None, 10).await.unwrap();
        assert_eq!(users.len(), 1);
        let last = users[0].last_used_at.map(|t| t.timestamp_millis());
        assert_eq!(last, Some(1_714_557_600_250));
        drop(store);
        // Opening again runs nothing twice.
        assert!(SqliteStore::open(&path).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A file at migration 1 (before the users counter) gets its count from the rows it holds,
    /// and the triggers keep it from then on.
    #[tokio::test]
    async fn the_users_counter_starts_from_existing_rows() {
        let dir = std::env::temp_dir().join(format!("ferrokey-users-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v1.db");
        {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(super::SCHEMA).unwrap();
            conn.execute_batch(super::MIGRATIONS[0]).unwrap();
            conn.execute_batch("PRAGMA user_version = 1").unwrap();
            for (app, id, user) in [("a", 1, "u1"), ("a", 2, "u1"), ("a", 3, "u2"), ("b", 4, "u1")]
            {
                conn.execute(
                    "INSERT INTO credentials (app_id, credential_id, user_id, counter, record) VALUES (?1, ?2, ?3, 0, '{}')",
                    rusqlite::params![app, vec![id as u8], user],
                )
                .unwrap();
            }
        }
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.count_users("a").await.unwrap(), 2);
        assert_eq!(store.count_users("b").await.unwrap(), 1);
        assert_eq!(store.count_users("c").await.unwrap(), 0);
        assert_eq!(store.delete_user("a", "u2").await.unwrap(), 1);
        assert_eq!(store.count_users("a").await.unwrap(), 1);
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
