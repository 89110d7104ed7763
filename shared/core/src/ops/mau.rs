//! Monthly active users, counted exactly as ceremonies complete (ANALYTICS.md: distinct users
//! with at least one completed register or login ceremony in the UTC calendar month).
//!
//! Each user's first completed ceremony of a month sets a per-user, per-month marker and adds
//! one to the month's counter in one atomic store step, so the count is exact under any
//! concurrency, O(1) to read, and survives the user's later deletion.

use crate::Service;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};

/// How long a month's marker and counter are kept: past the 400-day dashboard window and the
/// month's billing.
const KEEP: Duration = Duration::days(430);

/// `yyyy-mm` of `at`.
pub fn month_of(at: DateTime<Utc>) -> String {
    at.format("%Y-%m").to_string()
}

/// The month's counter name.
pub fn counter(month: &str) -> String {
    format!("mau-{month}")
}

/// The user's marker for the month: the user id hashed, so markers have a bounded size and
/// carry no user id.
fn marker(month: &str, user_id: &str) -> String {
    let digest = Sha256::digest(user_id.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("mau-{month}-{hex}")
}

/// Counts `user_id` active in the month of `at`, once. Called after a ceremony's commit: the
/// ceremony has succeeded whatever happens here, so a store failure is logged, not returned.
pub async fn record(svc: &Service, app_id: &str, user_id: &str, at: DateTime<Utc>) {
    let month = month_of(at);
    let start = NaiveDate::from_ymd_opt(at.year(), at.month(), 1).unwrap_or_default();
    let expires = crate::analytics::daily::start_of(start) + KEEP;
    let counted =
        svc.store.count_once(app_id, &marker(&month, user_id), &counter(&month), expires).await;
    if let Err(e) = counted {
        tracing::warn!(app_id = %app_id, error = %e, "monthly active user not counted");
    }
}

/// Whether a sign-in with a passkey last used at `last_used` needs counting at `now`: a use
/// earlier in the same month was a completed ceremony that counted the user already, so the
/// usual repeat sign-in costs no store request.
pub fn counted_by(last_used: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    last_used <= now && month_of(last_used) == month_of(now)
}

/// The app's MAU of each month (`yyyy-mm`), in order.
pub async fn read(
    svc: &Service,
    app_id: &str,
    months: &[String],
) -> Result<Vec<u64>, crate::StoreError> {
    let names: Vec<String> = months.iter().map(|m| counter(m)).collect();
    svc.store.read_counters(app_id, &names).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).unwrap_or_default()
    }

    #[test]
    fn months_are_utc_calendar_months() {
        assert_eq!(month_of(at("2026-11-30T23:59:59.999Z")), "2026-11");
        assert_eq!(month_of(at("2026-12-01T00:00:00Z")), "2026-12");
        assert!(counted_by(at("2026-11-01T00:00:00Z"), at("2026-11-30T23:59:59.999Z")));
        assert!(!counted_by(at("2026-11-30T23:59:59.999Z"), at("2026-12-01T00:00:00Z")));
        assert_ne!(marker("2026-11", "a"), marker("2026-11", "b"));
        assert!(marker("2026-11", &"x".repeat(1000)).len() < 50);
    }
}
