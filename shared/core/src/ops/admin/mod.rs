//! The admin API (ADMIN-API.md): who is calling (a management key or an admin's console
//! session), which apps they may touch, and the use cases behind every `/admin/...` route.

pub mod apps;
pub mod console;
pub mod data;
pub mod deletion;
pub mod keys;
pub mod org;
pub mod session;

use crate::error::DomainError;
use crate::keys::Caller;
use crate::model::{Admin, App};
use crate::service::Service;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Who an admin request was authenticated as.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminCaller {
    /// The `ManagementKey` header: every app (automation, upstream-compatible).
    Management,
    /// A signed-in console admin: only the apps of their organization.
    Admin { admin: Admin, session_hash: String },
}

/// What events name as performing a management-key action.
pub const MANAGEMENT_KEY: &str = "ManagementKey";

impl AdminCaller {
    /// The `performedBy` of the events this caller causes.
    pub fn performed_by(&self) -> String {
        match self {
            AdminCaller::Management => MANAGEMENT_KEY.to_string(),
            AdminCaller::Admin { admin, .. } => admin.email.clone(),
        }
    }

    /// The app-scoped caller the app API's use cases take when an admin acts on `app_id`.
    pub fn on_app(&self, app_id: &str) -> Caller {
        Caller {
            app_id: app_id.to_string(),
            key_id: String::new(),
            performed_by: Some(self.performed_by()),
        }
    }

    /// The admin, for routes that only make sense with a session (the organization's own).
    pub fn admin(&self) -> Result<&Admin, DomainError> {
        match self {
            AdminCaller::Admin { admin, .. } => Ok(admin),
            AdminCaller::Management => Err(DomainError::Forbidden {
                code: Some("admin_session_required"),
                title: "This endpoint is about the signed-in admin's organization; call it with an admin session.".into(),
            }),
        }
    }
}

/// Authenticates an admin route: a bearer admin session, or the management key.
///
/// Security: with no `FERROKEY_MANAGEMENT_KEY` configured the header is refused whatever it
/// says, so an unset variable can never mean "empty key accepted". The comparison runs over
/// SHA-256 digests in constant time, so neither the key's length nor a matching prefix leaks
/// through timing.
pub async fn authenticate(
    svc: &Service,
    management_key: Option<&str>,
    bearer: Option<&str>,
) -> Result<AdminCaller, DomainError> {
    if let Some(token) = bearer.filter(|t| !t.is_empty()) {
        return session::check(svc, token).await;
    }
    let (Some(given), Some(expected)) =
        (management_key.filter(|k| !k.is_empty()), svc.admin.management_key.as_deref())
    else {
        return Err(DomainError::ManagementKeyRequired);
    };
    let same: bool =
        Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(expected.as_bytes())).into();
    if same { Ok(AdminCaller::Management) } else { Err(DomainError::ManagementKeyRequired) }
}

/// The error for an app the caller may not see. Security: an app of another organization and
/// an app that does not exist answer the same, so ids of other organizations' apps cannot be
/// probed.
pub fn app_not_found() -> DomainError {
    DomainError::NotFound { code: Some("app_not_found"), title: "The app was not found.".into() }
}

/// The app, if the caller may touch it: the management key any app, an admin their
/// organization's apps. The built-in console app is only reachable with the management key.
pub async fn own_app(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
) -> Result<App, DomainError> {
    if !crate::keys::is_valid_app_id(app_id) {
        return Err(app_not_found());
    }
    let app = svc.store.get_app(app_id).await?.ok_or_else(app_not_found)?;
    match caller {
        AdminCaller::Management => Ok(app),
        AdminCaller::Admin { admin, .. } if app.org.as_deref() == Some(admin.org.as_str()) => {
            Ok(app)
        }
        AdminCaller::Admin { .. } => Err(app_not_found()),
    }
}
