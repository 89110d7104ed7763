//! Console administrators.

use super::{SqliteStore, from_json, is_unique_violation, records, to_json, unavailable};
use async_trait::async_trait;
use ferrokey_core::StoreError;
use ferrokey_core::model::Admin;
use ferrokey_core::ports::{AdminRemoval, AdminStore, StoreResult};
use rusqlite::{OptionalExtension, params};

fn one(conn: &rusqlite::Connection, sql: &str, value: &str) -> StoreResult<Option<Admin>> {
    let text: Option<String> =
        conn.query_row(sql, [value], |r| r.get(0)).optional().map_err(unavailable)?;
    text.map(|t| from_json(&t)).transpose()
}

#[async_trait]
impl AdminStore for SqliteStore {
    async fn add_admin(&self, admin: &Admin) -> StoreResult<()> {
        let admin = admin.clone();
        self.with(move |conn| {
            match conn.execute(
                "INSERT INTO admins (id, email, org, record) VALUES (?1, ?2, ?3, ?4)",
                params![admin.id, admin.email, admin.org, to_json(&admin)?],
            ) {
                Err(e) if is_unique_violation(&e) => {
                    Err(StoreError::Conflict(format!("admin {}", admin.email)))
                }
                other => other.map(|_| ()).map_err(unavailable),
            }
        })
        .await
    }

    async fn get_admin(&self, admin_id: &str) -> StoreResult<Option<Admin>> {
        let id = admin_id.to_string();
        self.with(move |conn| one(conn, "SELECT record FROM admins WHERE id = ?1", &id)).await
    }

    async fn find_admin(&self, email: &str) -> StoreResult<Option<Admin>> {
        let email = email.to_string();
        self.with(move |conn| one(conn, "SELECT record FROM admins WHERE email = ?1", &email)).await
    }

    async fn list_admins(&self, org: &str) -> StoreResult<Vec<Admin>> {
        let org = org.to_string();
        self.with(move |conn| {
            records(conn, "SELECT record FROM admins WHERE org = ?1 ORDER BY email", [org])
        })
        .await
    }

    async fn has_admins(&self) -> StoreResult<bool> {
        self.with(|conn| {
            conn.query_row("SELECT EXISTS (SELECT 1 FROM admins)", [], |r| r.get(0))
                .map_err(unavailable)
        })
        .await
    }

    async fn remove_admin(&self, org: &str, admin_id: &str) -> StoreResult<AdminRemoval> {
        let (org, id) = (org.to_string(), admin_id.to_string());
        self.with(move |conn| {
            let tx = conn.transaction().map_err(unavailable)?;
            let count: i64 = tx
                .query_row("SELECT COUNT(*) FROM admins WHERE org = ?1", [&org], |r| r.get(0))
                .map_err(unavailable)?;
            let exists: Option<i64> = tx
                .query_row(
                    "SELECT 1 FROM admins WHERE id = ?1 AND org = ?2",
                    params![id, org],
                    |r| r.get(0),
                )
                .optional()
                .map_err(unavailable)?;
            let outcome = match exists {
                None => AdminRemoval::NotFound,
                Some(_) if count <= 1 => AdminRemoval::LastAdmin,
                Some(_) => {
                    tx.execute("DELETE FROM admins WHERE id = ?1", [&id]).map_err(unavailable)?;
                    AdminRemoval::Removed
                }
            };
            tx.commit().map_err(unavailable)?;
            Ok(outcome)
        })
        .await
    }
}
