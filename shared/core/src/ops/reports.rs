//! Reporting (`/reporting/credentials/periodic`, `/reporting/active-users/periodic`): one
//! snapshot per app and day, taken by a job every hour (the last of a day stands for it, so a
//! day's numbers can miss at most its last hour), and today's numbers computed live.

use crate::error::DomainError;
use crate::keys::Caller;
use crate::model::DailyReport;
use crate::service::Service;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// Longest range one report call may ask for.
const MAX_DAYS: i64 = 366;

/// The app's numbers as of `now`, as the report of `now`'s day.
async fn measure(
    svc: &Service,
    app_id: &str,
    now: DateTime<Utc>,
) -> Result<DailyReport, DomainError> {
    let day = now.date_naive();
    let day_start = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
    let stats = svc.store.user_stats(app_id, day_start, day_start - Duration::days(6)).await?;
    Ok(DailyReport {
        app_id: app_id.to_string(),
        day,
        users: stats.users,
        credentials: stats.credentials,
        daily_active_users: stats.active_since_day,
        weekly_active_users: stats.active_since_week,
    })
}

/// The job: stores today's snapshot of every app; returns how many were stored. An app that
/// fails is logged and skipped, so one cannot stop the others.
pub async fn snapshot_all(svc: &Service) -> Result<usize, DomainError> {
    let now = svc.clock.now();
    let mut stored = 0;
    for app_id in svc.store.list_apps().await? {
        let report = match measure(svc, &app_id, now).await {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(%app_id, error = %e, "report snapshot failed");
                continue;
            }
        };
        match svc.store.put_report(&report).await {
            Ok(()) => stored += 1,
            Err(e) => tracing::warn!(%app_id, error = %e, "report snapshot not stored"),
        }
    }
    Ok(stored)
}

/// A required `yyyy-MM-dd` query parameter, with ASP.NET's binding texts.
fn date(name: &str, value: Option<&str>) -> Result<NaiveDate, DomainError> {
    let value = value.map(str::trim).filter(|v| !v.is_empty()).ok_or_else(|| {
        DomainError::bad_request_uncoded(format!(
            "Required parameter \"DateOnly {name}\" was not provided from query string."
        ))
    })?;
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
        let shown: String = value.chars().take(20).collect();
        DomainError::bad_request_uncoded(format!(
            "Failed to bind parameter \"DateOnly {name}\" from \"{shown}\"."
        ))
    })
}

/// The reports of `from..=to` (stored snapshots, and today's live), oldest first.
pub async fn periodic(
    svc: &Service,
    caller: &Caller,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Vec<DailyReport>, DomainError> {
    let (from, to) = (date("from", from)?, date("to", to)?);
    let mut errors = super::validate::Errors::default();
    if from > to {
        errors.add("from", "The from date must not be after the to date.");
    } else if (to - from).num_days() >= MAX_DAYS {
        errors.add("to", format!("At most {MAX_DAYS} days per request."));
    }
    errors.into_result()?;
    let mut reports = svc.store.list_reports(&caller.app_id, from, to).await?;
    let now = svc.clock.now();
    let today = now.date_naive();
    if (from..=to).contains(&today) {
        reports.retain(|r| r.day != today);
        reports.push(measure(svc, &caller.app_id, now).await?);
    }
    Ok(reports)
}
