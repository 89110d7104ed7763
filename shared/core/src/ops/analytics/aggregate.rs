//! The aggregation job (ANALYTICS.md, "Rollups"): each app's days of events become
//! `rollups/{app}/daily/{yyyy-mm-dd}.json` (with the dashboard's summary beside it,
//! `rollups/{app}/summary/…`), and their months `rollups/{app}/monthly/{yyyy-mm}.json`.
//!
//! Each run brings today and yesterday up to date (a ceremony begun before midnight settles
//! after it), reading only the events since the stored rollup's `asOf`, and fills in days of
//! the last [`BACKFILL_DAYS`] that have no rollup yet (a host that was down); older days are
//! immutable. `--day` rebuilds a day from all its events. A rebuild from the same events gives the same bytes, so
//! runs are idempotent and any number of them may overlap.

use super::{analysed_apps, build_daily, day_of, put_daily, stored_daily, up_to_date};
use crate::Service;
use crate::analytics::daily::{self, DailyRollup};
use crate::analytics::monthly::{self, MonthlyRollup};
use crate::error::DomainError;
use crate::model::App;
use crate::ops::mau;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeSet;

/// How far back a run looks for days without a rollup.
pub const BACKFILL_DAYS: i64 = 35;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub apps: usize,
    /// Daily rollups written.
    pub days: usize,
    /// Monthly rollups written.
    pub months: usize,
}

/// Runs the job for every app: `day` alone when given (`ferrokey aggregate --day`), else the
/// days that are due (see the module header).
pub async fn run(svc: &Service, day: Option<NaiveDate>) -> Result<Summary, DomainError> {
    let now = svc.clock.now();
    let mut summary = Summary::default();
    for app in analysed_apps(svc).await? {
        let explicit = day.is_some();
        let days = match day {
            Some(day) => vec![day],
            None => due_days(svc, &app, now).await?,
        };
        let mut months = BTreeSet::new();
        // Events older than the app's retention may be gone: a rebuild would lose the day.
        let horizon = now - Duration::days(i64::from(app.features.event_logging_retention_days));
        for day in days.into_iter().filter(|d| *d <= day_of(now)) {
            if daily::start_of(day) < horizon
                && stored_daily(svc, &app.app_id, day).await?.is_some()
            {
                continue;
            }
            // `--day` rebuilds from every event; the timer's runs carry on from the last one.
            let rollup = if explicit {
                build_daily(svc, &app.app_id, day, now).await?
            } else {
                up_to_date(svc, &app.app_id, day, now).await?
            };
            put_daily(svc, &rollup).await?;
            months.insert(mau::month_of(daily::start_of(day)));
            summary.days += 1;
        }
        for month in months {
            if write_month(svc, &app, &month, now).await?.is_some() {
                summary.months += 1;
            }
        }
        summary.apps += 1;
    }
    Ok(summary)
}

pub(super) const JSON: &str = "application/json";

pub(super) fn internal(e: serde_json::Error) -> DomainError {
    DomainError::Internal(format!("rollup encoding: {e}"))
}

/// Today, yesterday, and the backfill window's days without a rollup, from the app's first day.
async fn due_days(
    svc: &Service,
    app: &App,
    now: DateTime<Utc>,
) -> Result<Vec<NaiveDate>, DomainError> {
    let today = day_of(now);
    let first = day_of(app.created_at).max(today - Duration::days(BACKFILL_DAYS));
    let stored: BTreeSet<String> =
        svc.objects.list(&format!("rollups/{}/daily/", app.app_id)).await?.into_iter().collect();
    let mut days = Vec::new();
    let mut day = first;
    while day <= today {
        if day >= today - Duration::days(1) || !stored.contains(&daily::key(&app.app_id, day)) {
            days.push(day);
        }
        day += Duration::days(1);
    }
    Ok(days)
}

/// Writes the app's rollup of `month` (`yyyy-mm`) from its daily rollups and the exact
/// counters, unless it is closed already; returns it (`None`: unchanged, or the app did not
/// exist in the month).
///
/// Users with passkeys are read live while the month is open; once it is over, the value
/// last seen within the month stays (the job runs every few minutes, so that is the count
/// at the month's end to within one run).
pub(super) async fn write_month(
    svc: &Service,
    app: &App,
    month: &str,
    now: DateTime<Utc>,
) -> Result<Option<MonthlyRollup>, DomainError> {
    let Some(first) = monthly::parse_month(month) else { return Ok(None) };
    let end = daily::start_of(monthly::next_month(first));
    if app.created_at >= end || now < daily::start_of(first) {
        return Ok(None);
    }
    let key = monthly::key(&app.app_id, month);
    let stored = read_month(svc, &key).await?;
    if stored.as_ref().is_some_and(|m| m.closed) {
        return Ok(stored);
    }
    let mau = mau::read(svc, &app.app_id, &[month.to_string()]).await?;
    let (users_with_passkeys, observed_at) = match &stored {
        Some(m) if now >= end && m.observed_at < end => (m.users_with_passkeys, m.observed_at),
        _ => (svc.store.count_users(&app.app_id).await?, now),
    };
    let mut rollup = MonthlyRollup {
        version: monthly::VERSION,
        app_id: app.app_id.clone(),
        month: month.to_string(),
        monthly_active_users: mau.first().copied().unwrap_or_default(),
        users_with_passkeys,
        observed_at,
        // Settled a day after its end: its last day is then no longer rewritten.
        closed: now >= end + Duration::days(1),
        begun: Default::default(),
        completed: Default::default(),
        failed: Default::default(),
        incomplete: Default::default(),
    };
    let mut day = first.max(day_of(app.created_at));
    while daily::start_of(day) < end && day <= day_of(now) {
        let d = month_day(svc, &app.app_id, day, now).await?;
        // Closed only once every day is settled, or a stale day would be frozen in.
        rollup.closed &= d.complete;
        rollup.add_day(&d);
        day += Duration::days(1);
    }
    let bytes = monthly::to_json(&rollup).map_err(internal)?;
    svc.objects.put(&key, bytes, JSON).await?;
    Ok(Some(rollup))
}

/// A day of the month: its stored rollup when settled, else brought up to date (and stored:
/// it is the day's rollup as of now).
async fn month_day(
    svc: &Service,
    app_id: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DailyRollup, DomainError> {
    let rollup = up_to_date(svc, app_id, day, now).await?;
    put_daily(svc, &rollup).await?;
    Ok(rollup)
}

pub(super) async fn read_month(
    svc: &Service,
    key: &str,
) -> Result<Option<MonthlyRollup>, DomainError> {
    let Some(bytes) = svc.objects.get(key).await? else { return Ok(None) };
    Ok(serde_json::from_slice::<MonthlyRollup>(&bytes)
        .ok()
        .filter(|m| m.version == monthly::VERSION))
}
