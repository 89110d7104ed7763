//! The app's own settings as the backend sees them: `POST /apps/features` (patch semantics).

use super::audit;
use super::validate::Errors;
use crate::StoreError;
use crate::error::DomainError;
use crate::events::EventKind;
use crate::keys::Caller;
use crate::model::App;
use crate::service::Service;

/// Retention the backend may set through `/apps/features` (contract §3.7).
pub const MAX_RETENTION_DAYS: i64 = 90;
/// Retention admins may set: up to the default a new app gets (contract §3.12 creates apps
/// with 365 days, so the console must be able to keep that value).
pub const MAX_ADMIN_RETENTION_DAYS: i64 = 365;

/// `POST /apps/features`: each present member changes one flag; absent ones stay.
#[derive(Debug, Clone, Default)]
pub struct FeaturesPatch {
    pub performed_by: Option<String>,
    pub event_logging_retention_period: Option<i64>,
    pub enable_manually_generated_authentication_tokens: Option<bool>,
    pub enable_magic_links: Option<bool>,
}

/// How often a compare-and-set update is retried when a concurrent update won.
const UPDATE_ATTEMPTS: usize = 5;

/// Applies `change` to the app's record with compare-and-set, retrying when another update
/// slipped in between read and write. Returns the app as stored.
pub async fn update_app(
    svc: &Service,
    app_id: &str,
    change: impl Fn(&mut App),
) -> Result<App, DomainError> {
    for _ in 0..UPDATE_ATTEMPTS {
        let mut app = svc.app(app_id).await?;
        change(&mut app);
        match svc.store.update_app(&app).await {
            Ok(()) => {
                app.revision += 1;
                return Ok(app);
            }
            Err(StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(DomainError::Unavailable(format!("app {app_id} kept changing during an update")))
}

/// `POST /apps/features`.
pub async fn set_features(
    svc: &Service,
    caller: &Caller,
    patch: FeaturesPatch,
) -> Result<App, DomainError> {
    set_features_within(svc, caller, patch, MAX_RETENTION_DAYS).await
}

/// [`set_features`] with retention allowed up to `max_days` (admins: [`MAX_ADMIN_RETENTION_DAYS`]).
pub async fn set_features_within(
    svc: &Service,
    caller: &Caller,
    patch: FeaturesPatch,
    max_days: i64,
) -> Result<App, DomainError> {
    let mut errors = Errors::default();
    let retention = patch.event_logging_retention_period;
    if retention.is_some_and(|days| !(0..=max_days).contains(&days)) {
        errors.add(
            "eventLoggingRetentionPeriod",
            format!("The field EventLoggingRetentionPeriod must be between 0 and {max_days}."),
        );
    }
    errors.into_result()?;
    let app = update_app(svc, &caller.app_id, |app| {
        let f = &mut app.features;
        if let Some(days) = retention.and_then(|d| u32::try_from(d).ok()) {
            f.event_logging_retention_days = days;
        }
        if let Some(on) = patch.enable_manually_generated_authentication_tokens {
            f.generate_signin_token_enabled = on;
        }
        if let Some(on) = patch.enable_magic_links {
            f.magic_links_enabled = on;
        }
    })
    .await?;
    let by = patch.performed_by.filter(|p| !p.is_empty()).unwrap_or_else(|| "Api".into());
    let by: String = by.chars().take(255).collect();
    let mut events = Vec::new();
    let toggles = [
        (
            patch.enable_manually_generated_authentication_tokens,
            EventKind::AdminGenerateSignInTokenEndpointEnabled,
            EventKind::AdminGenerateSignInTokenEndpointDisabled,
            "the sign-in token endpoint",
        ),
        (
            patch.enable_magic_links,
            EventKind::AdminMagicLinksEnabled,
            EventKind::AdminMagicLinksDisabled,
            "magic links",
        ),
    ];
    for (value, on, off, what) in toggles {
        if let Some(enabled) = value {
            let (kind, verb) = if enabled { (on, "enabled") } else { (off, "disabled") };
            let message = format!("{by} {verb} {what}");
            events.push(audit::event(svc, caller, kind, &caller.app_id, message).by(by.clone()));
        }
    }
    audit::record(svc, events).await;
    tracing::info!(app_id = %caller.app_id, "features updated");
    Ok(app)
}
