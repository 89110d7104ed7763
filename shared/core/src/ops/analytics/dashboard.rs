//! `GET /admin/apps/{appId}/dashboard?from=&to=` (ANALYTICS.md, "Dashboard API"): the
//! period's stored day summaries and the previous period's, plus what happened today since
//! the last aggregation run, folded into the dashboard. Reads one small object per day, so
//! its cost grows with the period's length, not with the number of events.

use super::{day_of, stored_summary, up_to_date};
use crate::Service;
use crate::analytics::dashboard::{self, Dashboard, Inputs, MAX_DAYS, Period};
use crate::analytics::monthly;
use crate::analytics::summary::DaySummary;
use crate::error::DomainError;
use crate::ops::admin::{AdminCaller, own_app};
use crate::ops::mau;
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The default period: the last 30 days, ending today inclusive.
pub const DEFAULT_DAYS: i64 = 30;

/// The dashboard of `app_id` for `[from, to)` (`YYYY-MM-DD`, UTC days).
pub async fn get(
    svc: &Service,
    caller: &AdminCaller,
    app_id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<Dashboard, DomainError> {
    let app = own_app(svc, caller, app_id).await?;
    let now = svc.clock.now();
    let period = period(from, to, day_of(now))?;
    let previous = period.previous();
    let mut current = Vec::new();
    let mut before = Vec::new();
    let first_day = day_of(app.created_at);
    for day in previous.each_day().chain(period.each_day()) {
        if day < first_day || day > day_of(now) {
            continue;
        }
        let into = if period.contains(day) { &mut current } else { &mut before };
        into.push(day_summary(svc, app_id, day, now).await?);
    }
    let months = months_of(period);
    let mau = mau::read(svc, app_id, &months).await?;
    let inputs = Inputs {
        app_id: app_id.to_string(),
        period,
        as_of: now,
        app_created_at: app.created_at,
        users_with_passkeys: svc.store.count_users(app_id).await?,
        monthly_active_users: months.into_iter().zip(mau).collect(),
        password_average_seconds: svc.admin.password_average_seconds,
    };
    Ok(dashboard::fold(inputs, &current, &before))
}

/// A day's summary: the stored one once the day settled; for a day still open its rollup
/// carried on with the events since it was stored, up to now (incompletes included).
async fn day_summary(
    svc: &Service,
    app_id: &str,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<DaySummary, DomainError> {
    if let Some(stored) = stored_summary(svc, app_id, day).await?.filter(|s| s.complete) {
        return Ok(stored);
    }
    // Up to and including `now`: stores keep milliseconds, and event ranges are half-open.
    let rollup = up_to_date(svc, app_id, day, now + Duration::milliseconds(1)).await?;
    Ok(DaySummary::of(&rollup))
}

/// Parses the period: half-open UTC days, by default the last 30 days ending today inclusive.
fn period(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Period, DomainError> {
    let parse = |field: &str, value: Option<&str>| -> Result<Option<NaiveDate>, DomainError> {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .filter(|_| v.len() == 10)
                .map(Some)
                .ok_or_else(|| DomainError::invalid_field(field, "Give a date as YYYY-MM-DD.")),
        }
    };
    let (from, to) = (parse("from", from)?, parse("to", to)?);
    let to = to.unwrap_or_else(|| match from {
        Some(from) => (from + Duration::days(DEFAULT_DAYS)).min(today + Duration::days(1)),
        None => today + Duration::days(1),
    });
    let from = from.unwrap_or(to - Duration::days(DEFAULT_DAYS));
    if from >= to {
        return Err(DomainError::invalid_field("from", "'from' must be before 'to'."));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(DomainError::invalid_field(
            "to",
            format!("A period is at most {MAX_DAYS} days."),
        ));
    }
    Ok(Period { from, to })
}

/// `yyyy-mm` of every calendar month overlapping the period.
fn months_of(period: Period) -> Vec<String> {
    let mut months = Vec::new();
    let mut first = NaiveDate::from_ymd_opt(
        chrono::Datelike::year(&period.from),
        chrono::Datelike::month(&period.from),
        1,
    )
    .unwrap_or(period.from);
    while first < period.to {
        months.push(first.format("%Y-%m").to_string());
        first = monthly::next_month(first);
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn periods_default_and_refuse_nonsense() {
        let today = day("2026-12-01");
        let p = period(None, None, today).ok();
        assert_eq!(p, Some(Period { from: day("2026-11-02"), to: day("2026-12-02") }));
        let p = period(Some("2026-11-01"), Some("2026-11-02"), today).ok();
        assert_eq!(p.map(|p| p.days()), Some(1));
        for (from, to) in [
            (Some("2026-11-02"), Some("2026-11-02")),
            (Some("2026-11-03"), Some("2026-11-02")),
            (Some("2025-01-01"), Some("2026-11-02")),
            (Some("2026-1-01"), None),
            (Some("yesterday"), None),
            (None, Some("2026-02-30")),
        ] {
            assert!(period(from, to, today).is_err(), "{from:?} {to:?}");
        }
    }

    #[test]
    fn months_overlapping_a_period() {
        let p = Period { from: day("2026-10-31"), to: day("2026-12-01") };
        assert_eq!(months_of(p), vec!["2026-10", "2026-11"]);
        let p = Period { from: day("2026-12-15"), to: day("2027-01-02") };
        assert_eq!(months_of(p), vec!["2026-12", "2027-01"]);
    }
}
