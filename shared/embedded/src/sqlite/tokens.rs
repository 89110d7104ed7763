//! Register, session and verify tokens.

use super::{SqliteStore, corrupt, millis_to_time, unavailable};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::model::{TokenKind, TokenRecord};
use ferrokey_core::ports::{StoreResult, TokenStore};
use rusqlite::{Connection, OptionalExtension, params};

pub(super) fn kind_name(kind: TokenKind) -> &'static str {
    kind.name()
}

pub(super) fn kind_from(name: &str) -> StoreResult<TokenKind> {
    TokenKind::from_name(name).ok_or_else(|| corrupt(format!("token kind {name}")))
}

pub(super) fn insert_token(conn: &Connection, t: &TokenRecord) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO tokens (token_hash, app_id, kind, expires_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![t.token_hash, t.app_id, kind_name(t.kind), t.expires_at.timestamp_millis(), t.payload])
    })
    .map(|_| ())
    .map_err(unavailable)
}

/// Runs a statement yielding at most one token row, with `?1` = hash and `?2` = app.
fn one_token(
    conn: &Connection,
    sql: &str,
    app_id: &str,
    token_hash: &str,
) -> StoreResult<Option<TokenRecord>> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.query_row(params![token_hash, app_id], token_from_row))
        .optional()
        .map_err(unavailable)?
        .map(token_record)
        .transpose()
}

pub(super) fn select_token(
    conn: &Connection,
    app_id: &str,
    token_hash: &str,
) -> StoreResult<Option<TokenRecord>> {
    one_token(
        conn,
        "SELECT token_hash, app_id, kind, expires_at, payload FROM tokens WHERE token_hash = ?1 AND app_id = ?2",
        app_id,
        token_hash,
    )
}

pub(super) fn token_from_row(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(String, String, String, i64, String)> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?))
}

pub(super) fn token_record(row: (String, String, String, i64, String)) -> StoreResult<TokenRecord> {
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
            one_token(
                conn,
                "DELETE FROM tokens WHERE token_hash = ?1 AND app_id = ?2 RETURNING token_hash, app_id, kind, expires_at, payload",
                &app_id,
                &token_hash,
            )
        })
        .await
    }

    async fn extend_token(
        &self,
        app_id: &str,
        token_hash: &str,
        payload: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (app_id, token_hash, payload) =
            (app_id.to_string(), token_hash.to_string(), payload.to_string());
        self.with(move |conn| {
            let changed = conn
                .execute(
                    "UPDATE tokens SET payload = ?1, expires_at = ?2 WHERE token_hash = ?3 AND app_id = ?4",
                    params![payload, expires_at.timestamp_millis(), token_hash, app_id],
                )
                .map_err(unavailable)?;
            Ok(changed > 0)
        })
        .await
    }

    async fn purge_tokens(&self, before: DateTime<Utc>) -> StoreResult<u64> {
        self.with(move |conn| {
            let before = before.timestamp_millis();
            let tokens = conn
                .execute("DELETE FROM tokens WHERE expires_at < ?1", [before])
                .map_err(unavailable)?;
            // Expired counter windows go with the tokens.
            conn.execute("DELETE FROM counters WHERE expires_at < ?1", [before])
                .map_err(unavailable)?;
            Ok(tokens as u64)
        })
        .await
    }
}
