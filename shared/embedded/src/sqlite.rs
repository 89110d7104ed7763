//! The SQLite store: one file in WAL mode, one connection behind a mutex, every port method one
//! statement or one transaction run on the blocking pool.
//!
//! Tables: `apps`, `api_keys` (by key hash), `credentials` (by app + credential id, indexed by
//! user; the record as JSON plus the counter column that sign-ins compare-and-set), `aliases`
//! (by app + alias hash, indexed by user), `tokens` (by hash, with expiry).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{
    AliasRecord, ApiKeyRecord, App, StoredCredential, TokenKind, TokenRecord,
};
use ferrokey_core::ports::{
    AliasOwner, AppStore, CONFLICT_ALIAS, CONFLICT_COUNTER, CONFLICT_CREDENTIAL, CONFLICT_SESSION,
    CeremonyStore, CredentialStore, RegistrationCommit, SigninCommit, StoreResult, TokenStore,
};
use rusqlite::{Connection, OptionalExtension, params};
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
";

/// The SQLite store. Cloning shares the connection.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

fn unavailable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(e.to_string())
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(corrupt)
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(corrupt)
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Register => "register",
        TokenKind::Session => "session",
        TokenKind::Verify => "verify",
    }
}

fn kind_from(name: &str) -> StoreResult<TokenKind> {
    match name {
        "register" => Ok(TokenKind::Register),
        "session" => Ok(TokenKind::Session),
        "verify" => Ok(TokenKind::Verify),
        other => Err(corrupt(format!("token kind {other}"))),
    }
}

fn millis_to_time(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| corrupt(format!("timestamp {ms}")))
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and its schema.
    pub fn open(path: &Path) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(unavailable)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(unavailable)?;
        conn.execute_batch(SCHEMA).map_err(unavailable)?;
        Ok(SqliteStore { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection on the blocking pool.
    async fn with<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().map_err(|_| unavailable("sqlite connection poisoned"))?;
            f(&mut guard)
        })
        .await
        .map_err(unavailable)?
    }
}

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

    async fn get_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        let key_hash = key_hash.to_string();
        self.with(move |conn| {
            let text: Option<String> = conn
                .query_row("SELECT record FROM api_keys WHERE key_hash = ?1", [key_hash], |r| {
                    r.get(0)
                })
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

/// Replaces a user's aliases inside `tx`; `Conflict(CONFLICT_ALIAS)` if one belongs to another user.
fn replace_aliases(
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

    async fn list_credentials(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<StoredCredential>> {
        let (app_id, user_id) = (app_id.to_string(), user_id.to_string());
        self.with(move |conn| {
            let mut stmt = conn
                .prepare("SELECT record FROM credentials WHERE app_id = ?1 AND user_id = ?2 ORDER BY rowid")
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
                .prepare("SELECT user_id FROM aliases WHERE app_id = ?1 AND alias_hash = ?2")
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

/// Deletes the session inside `tx`; `Conflict(CONFLICT_SESSION)` if it is already gone.
fn consume_session(
    tx: &rusqlite::Transaction<'_>,
    app_id: &str,
    session_hash: &str,
) -> StoreResult<()> {
    let deleted = tx
        .execute(
            "DELETE FROM tokens WHERE token_hash = ?1 AND app_id = ?2 AND kind = 'session'",
            params![session_hash, app_id],
        )
        .map_err(unavailable)?;
    if deleted == 0 {
        return Err(StoreError::Conflict(CONFLICT_SESSION.into()));
    }
    Ok(())
}

fn insert_token(conn: &Connection, t: &TokenRecord) -> StoreResult<()> {
    conn.execute(
        "INSERT INTO tokens (token_hash, app_id, kind, expires_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![t.token_hash, t.app_id, kind_name(t.kind), t.expires_at.timestamp_millis(), t.payload],
    )
    .map(|_| ())
    .map_err(unavailable)
}

fn select_token(
    conn: &Connection,
    app_id: &str,
    token_hash: &str,
) -> StoreResult<Option<TokenRecord>> {
    conn.query_row(
        "SELECT token_hash, app_id, kind, expires_at, payload FROM tokens WHERE token_hash = ?1 AND app_id = ?2",
        params![token_hash, app_id],
        token_from_row,
    )
    .optional()
    .map_err(unavailable)?
    .map(token_record)
    .transpose()
}

fn select_credential(
    conn: &Connection,
    app_id: &str,
    credential_id: &[u8],
) -> StoreResult<Option<StoredCredential>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT record FROM credentials WHERE app_id = ?1 AND credential_id = ?2",
            params![app_id, credential_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(unavailable)?;
    text.map(|t| from_json(&t)).transpose()
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
            tx.execute(
                "UPDATE credentials SET counter = ?1, record = ?2 WHERE app_id = ?3 AND credential_id = ?4",
                params![change.new_counter, to_json(&record)?, c.app_id, c.credential_id],
            )
            .map_err(unavailable)?;
            insert_token(&tx, &c.verify_token)?;
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
            match tx.execute(
                "INSERT INTO credentials (app_id, credential_id, user_id, counter, record) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![cred.app_id, cred.credential_id, cred.user_id, cred.signature_counter, to_json(cred)?],
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
            tx.commit().map_err(unavailable)
        })
        .await
    }
}

fn token_from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, i64, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

fn token_record(row: (String, String, String, i64, String)) -> StoreResult<TokenRecord> {
    let (token_hash, app_id, kind, expires_at, payload) = row;
    Ok(TokenRecord {
        token_hash,
        app_id,
        kind: kind_from(&kind)?,
        expires_at: millis_to_time(expires_at)?,
        payload,
    })
}

#[async_trait]
impl TokenStore for SqliteStore {
    async fn put_token(&self, token: &TokenRecord) -> StoreResult<()> {
        let t = token.clone();
        self.with(move |conn| insert_token(conn, &t)).await
    }

    async fn get_token(&self, app_id: &str, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let (app_id, token_hash) = (app_id.to_string(), token_hash.to_string());
        self.with(move |conn| select_token(conn, &app_id, &token_hash)).await
    }

    async fn take_token(&self, app_id: &str, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let (app_id, token_hash) = (app_id.to_string(), token_hash.to_string());
        self.with(move |conn| {
            // DELETE … RETURNING is one atomic statement: two callers cannot both get the row.
            conn.query_row(
                "DELETE FROM tokens WHERE token_hash = ?1 AND app_id = ?2 RETURNING token_hash, app_id, kind, expires_at, payload",
                params![token_hash, app_id],
                token_from_row,
            )
            .optional()
            .map_err(unavailable)?
            .map(token_record)
            .transpose()
        })
        .await
    }

    async fn purge_tokens(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.with(move |conn| {
            conn.execute("DELETE FROM tokens WHERE expires_at < ?1", [before.timestamp_millis()])
                .map(|n| n as u64)
                .map_err(unavailable)
        })
        .await
    }
}
