//! Authentication configurations (`/auth-configs/*`): per purpose, the user verification and
//! hints a sign-in asks for and its verify token's lifetime. The presets `sign-in` and
//! `step-up` always exist, stored or not, and cannot be deleted.

use super::validate::{self, Errors};
use crate::StoreError;
use crate::error::DomainError;
use crate::events::EventKind;
use crate::keys::Caller;
use crate::model::AuthConfig;
use crate::service::Service;
use crate::webauthn::{Hint, UserVerification};
use chrono::{DateTime, Duration, Utc};

pub const SIGN_IN: &str = "sign-in";
pub const STEP_UP: &str = "step-up";
const PRESETS: [&str; 2] = [STEP_UP, SIGN_IN];
const PRESET_TTL_SECONDS: i64 = 120;
/// A purpose's verify tokens live at most 7 days, like generated tokens.
const MAX_TTL_SECONDS: i64 = validate::MAX_TOKEN_TTL_SECONDS;
const MAX_PERFORMED_BY_CHARS: usize = 255;
/// A sign-in records `lastUsedOn` when the stored value is older than this: the date stays
/// right to the minute without a write on every sign-in.
pub const TOUCH_AFTER: Duration = Duration::seconds(60);

pub fn is_preset(purpose: &str) -> bool {
    PRESETS.contains(&purpose)
}

/// A preset as it is before anyone edits it.
pub fn preset(app_id: &str, purpose: &str) -> AuthConfig {
    AuthConfig {
        app_id: app_id.to_string(),
        purpose: purpose.to_string(),
        user_verification: UserVerification::Preferred,
        ttl_seconds: PRESET_TTL_SECONDS,
        hints: vec![],
        created_by: "System".into(),
        created_on: None,
        edited_by: None,
        edited_on: None,
        last_used_on: None,
    }
}

/// The stored configuration for `purpose`, through the host's cache.
async fn stored(
    svc: &Service,
    app_id: &str,
    purpose: &str,
) -> Result<Option<AuthConfig>, DomainError> {
    let key = format!("{app_id}/{purpose}");
    if let Some(hit) = svc.config_cache.get(&key) {
        return Ok(hit);
    }
    let found = svc.store.get_auth_config(app_id, purpose).await?;
    svc.config_cache.put(&key, &found);
    Ok(found)
}

fn forget(svc: &Service, app_id: &str, purpose: &str) {
    svc.config_cache.forget(&format!("{app_id}/{purpose}"));
}

/// The configuration a sign-in with `purpose` runs under: the stored one, else the preset; a
/// purpose nobody configured falls back to `sign-in` (upstream's behaviour), so the token then
/// says `sign-in`.
pub async fn resolve(
    svc: &Service,
    app_id: &str,
    purpose: Option<&str>,
) -> Result<AuthConfig, DomainError> {
    let purpose = purpose.filter(|p| !p.is_empty() && validate::is_valid_purpose(p));
    if let Some(purpose) = purpose {
        if let Some(config) = stored(svc, app_id, purpose).await? {
            return Ok(config);
        }
        if is_preset(purpose) {
            return Ok(preset(app_id, purpose));
        }
    }
    Ok(stored(svc, app_id, SIGN_IN).await?.unwrap_or_else(|| preset(app_id, SIGN_IN)))
}

/// Whether a sign-in under `config` at `now` should record its use.
pub fn needs_touch(config: &AuthConfig, now: DateTime<Utc>) -> bool {
    config.last_used_on.is_none_or(|t| now - t >= TOUCH_AFTER)
}

/// Records a sign-in's use of `purpose`. Best effort: the sign-in has succeeded already.
pub async fn touch(svc: &Service, app_id: &str, purpose: &str, now: DateTime<Utc>) {
    let base = match svc.store.get_auth_config(app_id, purpose).await {
        Ok(Some(config)) => config,
        Ok(None) => preset(app_id, purpose),
        Err(e) => {
            tracing::warn!(error = %e, "could not record an authentication configuration's use");
            return;
        }
    };
    match svc.store.touch_auth_config(&base, now).await {
        Ok(()) => {
            let mut used = base;
            used.last_used_on = Some(now);
            svc.config_cache.put(&format!("{app_id}/{purpose}"), &Some(used));
        }
        Err(e) => {
            tracing::warn!(error = %e, "could not record an authentication configuration's use")
        }
    }
}

/// `GET /auth-configs/list[?purpose=]`: stored ones plus the presets not stored; with a
/// purpose, that one (stored or preset) or nothing.
pub async fn list(
    svc: &Service,
    caller: &Caller,
    purpose: Option<&str>,
) -> Result<Vec<AuthConfig>, DomainError> {
    let app_id = &caller.app_id;
    if let Some(purpose) = purpose.filter(|p| !p.is_empty()) {
        if !validate::is_valid_purpose(purpose) {
            return Ok(vec![]); // no configuration can have that name
        }
        let found = svc.store.get_auth_config(app_id, purpose).await?;
        return Ok(match found {
            Some(config) => vec![config],
            None if is_preset(purpose) => vec![preset(app_id, purpose)],
            None => vec![],
        });
    }
    let mut configs = svc.store.list_auth_configs(app_id).await?;
    for name in PRESETS {
        if !configs.iter().any(|c| c.purpose == name) {
            configs.push(preset(app_id, name));
        }
    }
    Ok(configs)
}

/// The body of add and update.
#[derive(Debug, Clone, Default)]
pub struct AuthConfigInput {
    pub purpose: Option<String>,
    pub user_verification: Option<String>,
    /// `hh:mm:ss` (a .NET TimeSpan: `[d.]hh:mm:ss[.fffffff]`) or whole seconds.
    pub time_to_live: Option<String>,
    pub hints: Option<Vec<String>>,
    pub performed_by: Option<String>,
}

/// Parses a .NET TimeSpan (`[-][d.]hh:mm:ss[.fffffff]`) or a whole number of seconds.
pub fn parse_time_span(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Some(seconds);
    }
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (days, clock) = match text.split_once('.') {
        Some((d, rest)) if !d.contains(':') => (d.parse::<i64>().ok()?, rest),
        _ => (0, text),
    };
    let clock = clock.split('.').next()?; // fractions of a second are dropped
    let parts: Vec<&str> = clock.split(':').collect();
    let [h, m, s] = parts.as_slice() else { return None };
    let (h, m, s) = (h.parse::<i64>().ok()?, m.parse::<i64>().ok()?, s.parse::<i64>().ok()?);
    if !(0..24).contains(&h) || !(0..60).contains(&m) || !(0..60).contains(&s) {
        return None;
    }
    let total = ((days * 24 + h) * 60 + m) * 60 + s;
    Some(if negative { -total } else { total })
}

/// Validates an add/update body into a configuration (audit fields still to be set).
fn parse_input(app_id: &str, input: &AuthConfigInput) -> Result<AuthConfig, DomainError> {
    let mut errors = Errors::default();
    let purpose = input.purpose.clone().unwrap_or_default();
    if purpose.is_empty() {
        errors.add("purpose", "The Purpose field is required.");
    } else {
        validate::purpose(&mut errors, Some(&purpose));
    }
    let user_verification = match UserVerification::parse(input.user_verification.as_deref()) {
        Ok(uv) => uv,
        Err(_) => {
            errors.add("userVerificationRequirement", "Use preferred, required or discouraged.");
            UserVerification::Preferred
        }
    };
    let ttl_seconds = match input.time_to_live.as_deref().filter(|t| !t.is_empty()) {
        None => PRESET_TTL_SECONDS,
        Some(text) => match parse_time_span(text) {
            Some(s) if (1..=MAX_TTL_SECONDS).contains(&s) => s,
            _ => {
                errors.add(
                    "timeToLive",
                    format!(
                        "The time to live must be a positive hh:mm:ss of at most {} days.",
                        MAX_TTL_SECONDS / 86_400
                    ),
                );
                PRESET_TTL_SECONDS
            }
        },
    };
    let mut hints = Vec::new();
    for name in input.hints.iter().flatten() {
        match Hint::parse(name).or_else(|| Hint::parse_csharp(name)) {
            Some(h) if hints.contains(&h) => errors.add("hints", "Hints must not repeat."),
            Some(h) => hints.push(h),
            None => errors.add(
                "hints",
                format!(
                    "'{}' is not a hint: use security-key, client-device or hybrid.",
                    truncate(name)
                ),
            ),
        }
    }
    let performed_by = input.performed_by.clone().unwrap_or_default();
    if performed_by.is_empty() {
        errors.add("performedBy", "The PerformedBy field is required.");
    } else if performed_by.chars().count() > MAX_PERFORMED_BY_CHARS {
        errors.add("performedBy", format!("At most {MAX_PERFORMED_BY_CHARS} characters."));
    }
    errors.into_result()?;
    Ok(AuthConfig {
        app_id: app_id.to_string(),
        purpose,
        user_verification,
        ttl_seconds,
        hints,
        created_by: performed_by,
        created_on: None,
        edited_by: None,
        edited_on: None,
        last_used_on: None,
    })
}

/// Echoed input is cut short so no message carries unbounded text.
fn truncate(text: &str) -> String {
    text.chars().take(40).collect()
}

/// `POST /auth-configs/add` → 201.
pub async fn add(
    svc: &Service,
    caller: &Caller,
    input: AuthConfigInput,
) -> Result<(), DomainError> {
    let mut config = parse_input(&caller.app_id, &input)?;
    let exists = || {
        DomainError::bad_request_uncoded(format!(
            "The configuration {} already exists.",
            config.purpose
        ))
    };
    if is_preset(&config.purpose) {
        return Err(exists());
    }
    config.created_on = Some(svc.clock.now());
    match svc.store.add_auth_config(&config).await {
        Ok(()) => {
            forget(svc, &caller.app_id, &config.purpose);
            logged(
                svc,
                caller,
                EventKind::ApiAuthenticationConfigurationCreated,
                &config.purpose,
                &config.created_by,
            )
            .await;
            Ok(())
        }
        Err(StoreError::Conflict(_)) => Err(exists()),
        Err(e) => Err(e.into()),
    }
}

/// `POST /auth-configs` (update) → 204; a preset not stored yet is stored by its first edit.
pub async fn update(
    svc: &Service,
    caller: &Caller,
    input: AuthConfigInput,
) -> Result<(), DomainError> {
    let edit = parse_input(&caller.app_id, &input)?;
    let app_id = &caller.app_id;
    let current = svc.store.get_auth_config(app_id, &edit.purpose).await?;
    let current = match current {
        Some(c) => c,
        None if is_preset(&edit.purpose) => preset(app_id, &edit.purpose),
        None => {
            return Err(DomainError::NotFound {
                code: None,
                title: format!("The configuration {} does not exist.", edit.purpose),
            });
        }
    };
    let now = svc.clock.now();
    let updated = AuthConfig {
        user_verification: edit.user_verification,
        ttl_seconds: edit.ttl_seconds,
        hints: edit.hints,
        edited_by: Some(edit.created_by),
        edited_on: Some(now),
        ..current
    };
    if !svc.store.replace_auth_config(&updated).await? {
        // A preset's first edit, or a custom one deleted meanwhile (then adding is right too:
        // the caller's latest intent is this configuration).
        match svc.store.add_auth_config(&updated).await {
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
        svc.store.replace_auth_config(&updated).await?;
    }
    forget(svc, app_id, &updated.purpose);
    let by = updated.edited_by.clone().unwrap_or_default();
    logged(svc, caller, EventKind::ApiAuthenticationConfigurationUpdated, &updated.purpose, &by)
        .await;
    Ok(())
}

/// `POST /auth-configs/delete` → 204.
pub async fn delete(
    svc: &Service,
    caller: &Caller,
    purpose: Option<&str>,
    performed_by: Option<&str>,
) -> Result<(), DomainError> {
    let mut errors = Errors::default();
    let purpose = purpose.unwrap_or_default();
    if purpose.is_empty() {
        errors.add("purpose", "The Purpose field is required.");
    } else {
        validate::purpose(&mut errors, Some(purpose));
    }
    if performed_by.unwrap_or_default().is_empty() {
        errors.add("performedBy", "The PerformedBy field is required.");
    }
    errors.into_result()?;
    if is_preset(purpose) {
        return Err(DomainError::bad_request_uncoded(format!(
            "The {purpose} configuration cannot be deleted."
        )));
    }
    if !svc.store.delete_auth_config(&caller.app_id, purpose).await? {
        return Err(DomainError::NotFound {
            code: None,
            title: format!("The configuration {} does not exist.", truncate(purpose)),
        });
    }
    forget(svc, &caller.app_id, purpose);
    let by = performed_by.unwrap_or_default();
    logged(svc, caller, EventKind::ApiAuthenticationConfigurationDeleted, purpose, by).await;
    Ok(())
}

/// Records a configuration change by `by`.
async fn logged(svc: &Service, caller: &Caller, kind: EventKind, purpose: &str, by: &str) {
    let by: String = by.chars().take(MAX_PERFORMED_BY_CHARS).collect();
    let verb = match kind {
        EventKind::ApiAuthenticationConfigurationCreated => "created",
        EventKind::ApiAuthenticationConfigurationUpdated => "updated",
        _ => "deleted",
    };
    let message = format!("{by} {verb} the authentication configuration {purpose}");
    let event = super::audit::event(svc, caller, kind, purpose, message).by(by);
    super::audit::record(svc, vec![event]).await;
}

#[cfg(test)]
mod tests {
    use super::parse_time_span;

    #[test]
    fn time_spans_parse_like_dotnet() {
        assert_eq!(parse_time_span("00:03:00"), Some(180));
        assert_eq!(parse_time_span("01:00:00"), Some(3600));
        assert_eq!(parse_time_span("1.00:00:01"), Some(86_401));
        assert_eq!(parse_time_span("00:00:30.5000000"), Some(30));
        assert_eq!(parse_time_span("300"), Some(300));
        assert_eq!(parse_time_span("-00:00:10"), Some(-10));
        assert_eq!(parse_time_span("00:60:00"), None);
        assert_eq!(parse_time_span("soon"), None);
        assert_eq!(parse_time_span("1:2"), None);
    }
}
