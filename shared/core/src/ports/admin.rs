//! The admin store port: console administrators and their organizations.

use super::StoreResult;
use crate::model::Admin;
use async_trait::async_trait;

/// What [`AdminStore::remove_admin`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminRemoval {
    Removed,
    NotFound,
    /// The admin is the organization's last one: nothing changed.
    LastAdmin,
}

/// Console administrators and their organizations. An organization exists while it has an
/// admin or an app; it has no record of its own.
#[async_trait]
pub trait AdminStore: Send + Sync {
    /// Adds an admin; `Conflict` if the email (lower-cased) or the id is taken.
    async fn add_admin(&self, admin: &Admin) -> StoreResult<()>;
    async fn get_admin(&self, admin_id: &str) -> StoreResult<Option<Admin>>;
    /// By lower-cased email.
    async fn find_admin(&self, email: &str) -> StoreResult<Option<Admin>>;
    /// The organization's admins, by email.
    async fn list_admins(&self, org: &str) -> StoreResult<Vec<Admin>>;
    /// Whether any admin exists at all (first run prints an invitation when none does).
    async fn has_admins(&self) -> StoreResult<bool>;
    /// Removes an admin of `org`, unless they are its last one (checked atomically).
    async fn remove_admin(&self, org: &str, admin_id: &str) -> StoreResult<AdminRemoval>;
}
