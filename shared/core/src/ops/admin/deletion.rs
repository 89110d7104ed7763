//! The deletion flow of an app (contract §3.12): immediate when young or unused, else
//! scheduled a month out with the keys locked, cancellable, carried out when due (by an admin,
//! or by the scheduled sweep).

use super::apps::list;
use super::keys::set_locked;
use super::{AdminCaller, app_not_found, own_app};
use crate::error::DomainError;
use crate::events::EventKind;
use crate::model::App;
use crate::ops::audit;
use crate::service::Service;
use chrono::{DateTime, Duration, Months, Utc};
use serde::Serialize;

/// An app younger than this can be deleted at once.
const YOUNG_APP_DAYS: i64 = 3;

async fn deletable_now(svc: &Service, app: &App) -> Result<bool, DomainError> {
    let young = svc.clock.now() - app.created_at < Duration::days(YOUNG_APP_DAYS);
    Ok(young || svc.store.count_users(&app.app_id).await? == 0)
}

/// `GET /admin/apps/{appId}/can-delete-immediately`.
pub async fn can_delete_immediately(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
) -> Result<bool, DomainError> {
    let app = own_app(svc, caller, app_id).await?;
    deletable_now(svc, &app).await
}

/// What `mark-delete` answers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarkedForDeletion {
    pub message: String,
    pub is_deleted: bool,
    pub delete_at: Option<DateTime<Utc>>,
    pub admin_emails: Vec<String>,
}

/// `POST /admin/apps/{appId}/mark-delete`.
pub async fn mark_delete(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    deleted_by: Option<&str>,
) -> Result<MarkedForDeletion, DomainError> {
    let app = own_app(svc, caller, app_id).await?;
    if app.delete_at.is_some() {
        return Err(DomainError::bad_request(
            "app_pending_deletion",
            "The app is already pending deletion.",
        ));
    }
    let by: String = deleted_by
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| b.chars().take(255).collect())
        .unwrap_or_else(|| caller.performed_by());
    let admin_emails = app.admin_emails.clone();
    if deletable_now(svc, &app).await? {
        svc.store.delete_app(app_id).await?;
        svc.key_cache.clear();
        tracing::info!(app_id, "app deleted at once");
        return Ok(MarkedForDeletion {
            message: "The app was deleted.".into(),
            is_deleted: true,
            delete_at: None,
            admin_emails,
        });
    }
    let delete_at = svc
        .clock
        .now()
        .checked_add_months(Months::new(1))
        .ok_or_else(|| DomainError::Internal("date overflow".into()))?;
    // Remember which keys the deletion locks, so a cancel unlocks only those and a key an
    // admin had locked on purpose stays locked.
    let unlocked: Vec<String> = svc
        .store
        .list_api_keys(app_id)
        .await?
        .into_iter()
        .filter(|k| !k.locked)
        .map(|k| k.key_id)
        .collect();
    crate::ops::apps::update_app(svc, app_id, |a| {
        a.delete_at = Some(delete_at);
        a.locked_for_deletion = unlocked.clone();
    })
    .await?;
    for key_id in &unlocked {
        set_locked(svc, app_id, Some(key_id), true).await?;
    }
    let event = audit::event(
        svc,
        &caller.on_app(app_id),
        EventKind::ApiManagementAppMarkedForDeletion,
        app_id,
        format!("{by} marked the app for deletion on {}", delete_at.format("%Y-%m-%d")),
    )
    .by(by);
    audit::record(svc, vec![event]).await;
    Ok(MarkedForDeletion {
        message: format!(
            "The app will be deleted on {}. Its API keys are locked until then; cancel the deletion to unlock them.",
            delete_at.format("%Y-%m-%d %H:%M UTC")
        ),
        is_deleted: false,
        delete_at: Some(delete_at),
        admin_emails,
    })
}

fn not_pending(title: &str) -> DomainError {
    DomainError::bad_request("app_not_pending_deletion", title)
}

/// `POST /admin/apps/{appId}/cancel-delete`.
pub async fn cancel_delete(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
) -> Result<String, DomainError> {
    let app = own_app(svc, caller, app_id).await?;
    if app.delete_at.is_none() {
        return Err(not_pending("The app is not pending deletion."));
    }
    let updated = crate::ops::apps::update_app(svc, app_id, |a| a.delete_at = None).await?;
    for key_id in &updated.locked_for_deletion {
        set_locked(svc, app_id, Some(key_id), false).await?;
    }
    crate::ops::apps::update_app(svc, app_id, |a| a.locked_for_deletion.clear()).await?;
    let event = audit::event(
        svc,
        &caller.on_app(app_id),
        EventKind::ApiManagementAppDeletionCancelled,
        app_id,
        "The app's deletion was cancelled",
    );
    audit::record(svc, vec![event]).await;
    Ok("Your account will not be deleted since the process was aborted with the cancellation link"
        .into())
}

/// `DELETE /admin/apps/{appId}`: carries out a deletion that is due.
pub async fn delete(svc: &Service, caller: &AdminCaller, app_id: &str) -> Result<(), DomainError> {
    let app = own_app(svc, caller, app_id).await?;
    match app.delete_at {
        None => Err(not_pending("The app is not pending deletion.")),
        Some(at) if at > svc.clock.now() => Err(not_pending(&format!(
            "The app's deletion is not due until {}.",
            at.format("%Y-%m-%d %H:%M UTC")
        ))),
        Some(_) => {
            if !svc.store.delete_app(app_id).await? {
                return Err(app_not_found());
            }
            svc.key_cache.clear();
            tracing::info!(app_id, "app deleted");
            Ok(())
        }
    }
}

/// `GET /apps/list-pending-deletion`: the caller's apps whose deletion is due.
pub async fn list_due(svc: &Service, caller: &AdminCaller) -> Result<Vec<String>, DomainError> {
    let now = svc.clock.now();
    let mut due = Vec::new();
    for app in list(svc, caller).await? {
        if app.delete_at.is_some_and(|at| at <= now) {
            due.push(app.app_id);
        }
    }
    Ok(due)
}

/// The scheduled sweep: deletes every app whose deletion fell due. Returns how many.
pub async fn delete_due(svc: &Service) -> Result<usize, DomainError> {
    let mut deleted = 0;
    for app_id in list_due(svc, &AdminCaller::Management).await? {
        if svc.store.delete_app(&app_id).await? {
            deleted += 1;
            tracing::info!(app_id, "app deleted: its deletion fell due");
        }
    }
    if deleted > 0 {
        svc.key_cache.clear();
    }
    Ok(deleted)
}
