//! Apps as admins run them (contract §3.12, ADMIN-API.md §4): list, availability, create,
//! features and freeze (the deletion flow is in `deletion`).

use super::console::is_reserved;
use super::keys::{mint_unique, sealed_copy, set_locked};
use super::{AdminCaller, own_app};
use crate::StoreError;
use crate::error::DomainError;
use crate::events::{Event, EventKind};
use crate::model::{App, Features, KeyKind, Scope};
use crate::ops::audit;
use crate::ops::validate::Errors;
use crate::service::Service;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Upstream's `available` rule is shorter than its create rule; both are kept.
const MAX_AVAILABLE_ID_CHARS: usize = 50;

/// One app as `GET /admin/apps` lists it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedApp {
    pub app_id: String,
    pub created_at: DateTime<Utc>,
    pub delete_at: Option<DateTime<Utc>>,
    pub users_with_passkeys: u64,
}

/// `GET /admin/apps`: the caller's organization's apps (every app, with the management key).
pub async fn list(svc: &Service, caller: &AdminCaller) -> Result<Vec<ListedApp>, DomainError> {
    let apps = match caller {
        AdminCaller::Admin { admin, .. } => svc.store.list_org_apps(&admin.org).await?,
        AdminCaller::Management => {
            let mut apps = Vec::new();
            for id in svc.store.list_apps().await? {
                if let Some(app) = svc.store.get_app(&id).await? {
                    apps.push(app);
                }
            }
            apps
        }
    };
    let mut listed = Vec::with_capacity(apps.len());
    for app in apps {
        listed.push(ListedApp {
            users_with_passkeys: svc.store.count_users(&app.app_id).await?,
            app_id: app.app_id,
            created_at: app.created_at,
            delete_at: app.delete_at,
        });
    }
    Ok(listed)
}

/// `GET /admin/apps/{appId}/available`.
pub async fn available(svc: &Service, app_id: &str) -> Result<bool, DomainError> {
    if !crate::keys::is_valid_app_id(app_id) || app_id.len() > MAX_AVAILABLE_ID_CHARS {
        return Err(DomainError::invalid_field(
            "appId",
            "The app id must start with a lowercase letter followed by 2 to 49 lowercase letters or digits.",
        ));
    }
    Ok(!is_reserved(app_id) && !svc.store.app_id_taken(app_id).await?)
}

/// `POST /admin/apps/{appId}/create` input.
#[derive(Debug, Clone, Default)]
pub struct CreateAppInput {
    pub admin_email: Option<String>,
    pub event_logging_is_enabled: Option<bool>,
    pub event_logging_retention_period: Option<i64>,
    pub magic_link_email_monthly_quota: Option<i64>,
    pub max_users: Option<i64>,
    pub allow_attestation: Option<bool>,
}

/// The four keys of a new app, shown once (and by `reveal` for 7 days).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedKeys {
    pub message: String,
    pub api_key1: String,
    pub api_key2: String,
    pub api_secret1: String,
    pub api_secret2: String,
}

fn check_features(
    errors: &mut Errors,
    retention: Option<i64>,
    quota: Option<i64>,
    max_users: Option<i64>,
) {
    let max = crate::ops::apps::MAX_ADMIN_RETENTION_DAYS;
    if retention.is_some_and(|d| !(0..=max).contains(&d)) {
        errors.add(
            "eventLoggingRetentionPeriod",
            format!("The field EventLoggingRetentionPeriod must be between 0 and {max}."),
        );
    }
    if quota.is_some_and(|q| !(0..=i64::from(u32::MAX)).contains(&q)) {
        errors.add("magicLinkEmailMonthlyQuota", "The quota must be 0 or more.");
    }
    if max_users.is_some_and(|m| m < 0) {
        errors.add("maxUsers", "The field MaxUsers must be 0 or more.");
    }
}

/// `POST /admin/apps/{appId}/create`: the app joins the admin's organization (with the
/// management key, that of `adminEmail`'s admin, or an organization named after the address).
pub async fn create(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    input: CreateAppInput,
) -> Result<CreatedKeys, DomainError> {
    let mut errors = Errors::default();
    if !crate::keys::is_valid_app_id(app_id) {
        errors.add(
            "appId",
            "The app id must start with a lowercase letter followed by 2 to 61 lowercase letters or digits.",
        );
    }
    let admin_email = match (&input.admin_email, caller) {
        (Some(e), _) if !e.trim().is_empty() => Some(super::org::normalize_email(Some(e))?),
        (_, AdminCaller::Admin { admin, .. }) => Some(admin.email.clone()),
        (_, AdminCaller::Management) => {
            errors.add("adminEmail", "The AdminEmail field is required.");
            None
        }
    };
    check_features(
        &mut errors,
        input.event_logging_retention_period,
        input.magic_link_email_monthly_quota,
        input.max_users,
    );
    errors.into_result()?;
    let admin_email = admin_email.unwrap_or_default();
    if is_reserved(app_id) {
        return Err(DomainError::AppExists { app_id: app_id.to_string() });
    }
    let org = match caller {
        AdminCaller::Admin { admin, .. } => admin.org.clone(),
        AdminCaller::Management => match svc.store.find_admin(&admin_email).await? {
            Some(admin) => admin.org,
            None => admin_email.clone(),
        },
    };
    let now = svc.clock.now();
    let mut app = App::new(app_id, now);
    app.org = Some(org);
    app.admin_emails = vec![admin_email];
    apply(&input, &mut app.features);
    let mut taken = Vec::new();
    let mut minted = Vec::new();
    for kind in [KeyKind::Public, KeyKind::Public, KeyKind::Secret, KeyKind::Secret] {
        minted.push(mint_unique(svc, app_id, kind, Scope::defaults(kind), &mut taken).await?);
    }
    let records: Vec<_> = minted.iter().map(|m| m.record.clone()).collect();
    match svc.store.create_app(&app, &records).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            return Err(DomainError::AppExists { app_id: app_id.to_string() });
        }
        Err(e) => return Err(e.into()),
    }
    for m in &minted {
        svc.store.put_token(&sealed_copy(svc, m)?).await?;
    }
    let by = caller.performed_by();
    let event = Event::new(
        app_id,
        EventKind::ApiManagementAppCreated,
        now,
        "",
        app_id,
        format!("Created application {app_id}"),
    )
    .by(by);
    audit::record(svc, vec![event]).await;
    tracing::info!(app_id, "app created through the admin API");
    let [k1, k2, s1, s2] =
        <[_; 4]>::try_from(minted.into_iter().map(|m| m.value).collect::<Vec<_>>())
            .map_err(|_| DomainError::Internal("four keys were minted".into()))?;
    Ok(CreatedKeys {
        message: "Store keys safely. They will only be shown to you once.".into(),
        api_key1: k1,
        api_key2: k2,
        api_secret1: s1,
        api_secret2: s2,
    })
}

/// The five features the create and features bodies set (absent → default), kept where a
/// body has no say (sign-in tokens, magic links, developer logging).
fn apply(input: &CreateAppInput, f: &mut Features) {
    let defaults = Features::default();
    f.event_logging_enabled = input.event_logging_is_enabled.unwrap_or(false);
    f.event_logging_retention_days = input
        .event_logging_retention_period
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or(defaults.event_logging_retention_days);
    f.magic_link_monthly_quota = input
        .magic_link_email_monthly_quota
        .and_then(|q| u32::try_from(q).ok())
        .unwrap_or(defaults.magic_link_monthly_quota);
    f.max_users = input.max_users.and_then(|m| u64::try_from(m).ok());
    f.allow_attestation = input.allow_attestation.unwrap_or(false);
}

/// `GET /admin/apps/{appId}/features`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeaturesView {
    pub event_logging_is_enabled: bool,
    pub event_logging_retention_period: u32,
    pub developer_logging_ends_at: Option<DateTime<Utc>>,
    pub max_users: Option<u64>,
    pub allow_attestation: bool,
    pub is_generate_sign_in_token_endpoint_enabled: bool,
    pub is_magic_links_enabled: bool,
    pub magic_link_email_monthly_quota: u32,
}

impl From<&Features> for FeaturesView {
    fn from(f: &Features) -> Self {
        FeaturesView {
            event_logging_is_enabled: f.event_logging_enabled,
            event_logging_retention_period: f.event_logging_retention_days,
            developer_logging_ends_at: f.developer_logging_ends_at,
            max_users: f.max_users,
            allow_attestation: f.allow_attestation,
            is_generate_sign_in_token_endpoint_enabled: f.generate_signin_token_enabled,
            is_magic_links_enabled: f.magic_links_enabled,
            magic_link_email_monthly_quota: f.magic_link_monthly_quota,
        }
    }
}

pub async fn features(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
) -> Result<FeaturesView, DomainError> {
    Ok((&own_app(svc, caller, app_id).await?.features).into())
}

/// `POST /admin/apps/{appId}/features`: a full overwrite of these five (absent → default).
pub async fn set_features(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    input: CreateAppInput,
) -> Result<(), DomainError> {
    own_app(svc, caller, app_id).await?;
    let mut errors = Errors::default();
    check_features(
        &mut errors,
        input.event_logging_retention_period,
        input.magic_link_email_monthly_quota,
        input.max_users,
    );
    errors.into_result()?;
    crate::ops::apps::update_app(svc, app_id, |app| apply(&input, &mut app.features)).await?;
    Ok(())
}

/// `POST /admin/apps/{appId}/freeze` and `/unfreeze`: locks or unlocks every key.
pub async fn freeze(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    frozen: bool,
) -> Result<(), DomainError> {
    own_app(svc, caller, app_id).await?;
    set_locked(svc, app_id, None, frozen).await?;
    let (kind, verb) = if frozen {
        (EventKind::ApiManagementAppFrozen, "Froze")
    } else {
        (EventKind::ApiManagementAppUnfrozen, "Unfroze")
    };
    let event = audit::event(
        svc,
        &caller.on_app(app_id),
        kind,
        app_id,
        format!("{verb} application {app_id}"),
    );
    audit::record(svc, vec![event]).await;
    Ok(())
}
