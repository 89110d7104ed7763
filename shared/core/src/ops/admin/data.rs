//! What the console shows and changes inside one app (ADMIN-API.md §4): users with search and
//! paging, one user's passkeys and aliases, settings and the event log. Each use case checks
//! that the caller may touch the app, then runs the app API's own use case as that app, so an
//! admin's change follows exactly the rules a backend's does (and its event names the admin).

use super::{AdminCaller, own_app};
use crate::error::DomainError;
use crate::events::Event;
use crate::keys::Caller;
use crate::model::StoredCredential;
use crate::ops::apps::{self, FeaturesPatch};
use crate::ops::users;
use crate::ports::UserSummary;
use crate::service::Service;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

/// The WebAuthn maximum length of a credential id.
const MAX_CREDENTIAL_ID_BYTES: usize = 1023;
const DEFAULT_PAGE: usize = 50;
const MAX_PAGE: usize = 200;
/// Users a search reads at most per request before it answers with a cursor to go on from.
const SEARCH_SCAN: usize = 2000;
const MAX_SEARCH_CHARS: usize = 256;

/// The app-scoped caller for `app_id`, if the admin may touch it.
pub async fn app_caller(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
) -> Result<Caller, DomainError> {
    own_app(svc, caller, app_id).await?;
    Ok(caller.on_app(app_id))
}

fn page_size(limit: Option<&str>) -> Result<usize, DomainError> {
    match limit.map(str::trim).filter(|l| !l.is_empty()) {
        None => Ok(DEFAULT_PAGE),
        Some(l) => {
            l.parse::<usize>().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| {
                DomainError::invalid_field("limit", format!("A whole number from 1 to {MAX_PAGE}."))
            })
        }
    }
}

/// One page of users.
#[derive(Debug, Clone)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    /// Pass as `cursor` for the next page; `None` on the last.
    pub next_cursor: Option<String>,
}

/// `GET /admin/apps/{appId}/users?search=&cursor=&limit=`: by user id; `search` keeps users
/// whose id or a plaintext alias contains it (case-insensitive). The cursor is the last user
/// id seen.
pub async fn users(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    search: Option<&str>,
    cursor: Option<&str>,
    limit: Option<&str>,
) -> Result<UserPage, DomainError> {
    own_app(svc, caller, app_id).await?;
    let limit = page_size(limit)?;
    let search = search.map(str::trim).filter(|s| !s.is_empty()).map(str::to_lowercase);
    if search.as_ref().is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS) {
        return Err(DomainError::invalid_field(
            "search",
            format!("At most {MAX_SEARCH_CHARS} characters."),
        ));
    }
    let Some(needle) = search else {
        let mut users =
            svc.store.list_users(app_id, cursor.filter(|c| !c.is_empty()), limit + 1).await?;
        let more = users.len() > limit;
        users.truncate(limit);
        let next_cursor = more.then(|| users.last().map(|u| u.user_id.clone())).flatten();
        return Ok(UserPage { users, next_cursor });
    };
    let matches = |u: &UserSummary| {
        u.user_id.to_lowercase().contains(&needle)
            || u.aliases.iter().flatten().any(|a| a.to_lowercase().contains(&needle))
    };
    let mut found = Vec::new();
    let mut after = cursor.filter(|c| !c.is_empty()).map(String::from);
    let mut scanned = 0;
    loop {
        let batch = svc.store.list_users(app_id, after.as_deref(), MAX_PAGE).await?;
        let exhausted = batch.len() < MAX_PAGE;
        for user in batch {
            scanned += 1;
            after = Some(user.user_id.clone());
            if matches(&user) {
                found.push(user);
                if found.len() == limit {
                    return Ok(UserPage { users: found, next_cursor: after });
                }
            }
        }
        if exhausted {
            return Ok(UserPage { users: found, next_cursor: None });
        }
        if scanned >= SEARCH_SCAN {
            return Ok(UserPage { users: found, next_cursor: after });
        }
    }
}

/// One user as the console shows them.
#[derive(Debug, Clone)]
pub struct UserDetail {
    pub user_id: String,
    pub credentials: Vec<StoredCredential>,
    /// Plaintext aliases, `None` for hashed ones (they cannot be shown).
    pub aliases: Vec<Option<String>>,
}

pub async fn user(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    user_id: &str,
) -> Result<UserDetail, DomainError> {
    own_app(svc, caller, app_id).await?;
    let credentials = svc.store.list_credentials(app_id, user_id).await?;
    let aliases: Vec<Option<String>> =
        svc.store.list_aliases(app_id, user_id).await?.into_iter().map(|a| a.plaintext).collect();
    if credentials.is_empty() && aliases.is_empty() {
        return Err(DomainError::NotFound {
            code: Some("user_not_found"),
            title: "The app has no user with this id.".into(),
        });
    }
    Ok(UserDetail { user_id: user_id.to_string(), credentials, aliases })
}

pub async fn delete_user(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    user_id: &str,
) -> Result<u64, DomainError> {
    let app = app_caller(svc, caller, app_id).await?;
    users::delete_user(svc, &app, Some(user_id)).await
}

/// `DELETE /admin/apps/{appId}/credentials/{credentialId}` (base64url id).
pub async fn delete_credential(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    credential_id: &str,
) -> Result<(), DomainError> {
    let app = app_caller(svc, caller, app_id).await?;
    let id = URL_SAFE_NO_PAD
        .decode(credential_id.trim_end_matches('='))
        .ok()
        .filter(|id| !id.is_empty() && id.len() <= MAX_CREDENTIAL_ID_BYTES)
        .ok_or_else(|| {
            DomainError::invalid_field(
                "credentialId",
                "A credential id is base64url of 1 to 1023 bytes.",
            )
        })?;
    users::delete_credential(svc, &app, &id).await.map(|_| ())
}

/// The settings the console edits.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    pub is_generate_sign_in_token_endpoint_enabled: bool,
    pub is_magic_links_enabled: bool,
    pub event_logging_retention_period: u32,
    pub magic_link_email_monthly_quota: u32,
}

fn settings_of(app: &crate::model::App) -> Settings {
    let f = &app.features;
    Settings {
        is_generate_sign_in_token_endpoint_enabled: f.generate_signin_token_enabled,
        is_magic_links_enabled: f.magic_links_enabled,
        event_logging_retention_period: f.event_logging_retention_days,
        magic_link_email_monthly_quota: f.magic_link_monthly_quota,
    }
}

pub async fn settings(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
) -> Result<Settings, DomainError> {
    Ok(settings_of(&own_app(svc, caller, app_id).await?))
}

/// `POST /admin/apps/{appId}/settings`: patch semantics, the same rules and events as the
/// backend's `POST /apps/features`.
pub async fn set_settings(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    mut patch: FeaturesPatch,
) -> Result<Settings, DomainError> {
    let app = app_caller(svc, caller, app_id).await?;
    patch.performed_by = Some(caller.performed_by());
    let app = apps::set_features_within(svc, &app, patch, apps::MAX_ADMIN_RETENTION_DAYS).await?;
    Ok(settings_of(&app))
}

/// One page of events.
#[derive(Debug, Clone)]
pub struct EventPage {
    pub events: Vec<Event>,
    pub next_cursor: Option<String>,
}

/// `GET /admin/apps/{appId}/events?cursor=&type=&limit=`: newest first within the app's
/// retention; `type` keeps one event type (its name); the cursor is an opaque offset.
pub async fn events(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    cursor: Option<&str>,
    kind: Option<&str>,
    limit: Option<&str>,
) -> Result<EventPage, DomainError> {
    let app = own_app(svc, caller, app_id).await?;
    let limit = page_size(limit)?;
    let mut offset = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| {
            DomainError::invalid_field("cursor", "Pass the nextCursor of the previous page.")
        })?,
    };
    let kind = kind.map(str::trim).filter(|k| !k.is_empty());
    let since = svc.clock.now()
        - chrono::Duration::days(i64::from(app.features.event_logging_retention_days));
    let mut events = Vec::new();
    // With a type filter, read on until the page is full or the log ends (bounded).
    for _ in 0..10 {
        let batch = svc.store.list_events(app_id, since, offset, MAX_PAGE).await?;
        let exhausted = batch.len() < MAX_PAGE;
        let read = batch.len();
        for (i, event) in batch.into_iter().enumerate() {
            offset += 1;
            if kind.is_none_or(|k| event.kind.name().eq_ignore_ascii_case(k)) {
                events.push(event);
                if events.len() == limit {
                    // No cursor when this was the log's last event: a page that ends exactly
                    // at the end would otherwise offer an empty next page.
                    let last = exhausted && i + 1 == read;
                    let next_cursor = (!last).then(|| offset.to_string());
                    return Ok(EventPage { events, next_cursor });
                }
            }
        }
        if exhausted {
            return Ok(EventPage { events, next_cursor: None });
        }
    }
    Ok(EventPage { events, next_cursor: Some(offset.to_string()) })
}
