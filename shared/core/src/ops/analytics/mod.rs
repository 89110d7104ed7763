//! Analytics use cases: the scheduled jobs that roll ceremony events up into objects
//! ([`aggregate`]: daily and monthly rollups; [`billing`]: the month's bill) and the dashboard
//! API that reads them ([`dashboard`]). One code path for every host: objects go through the
//! [`crate::ports::ObjectSink`] port (S3, or `<data-dir>/objects/`).

pub mod aggregate;
pub mod billing;
pub mod dashboard;

use crate::Service;
use crate::analytics::daily::{self, DailyRollup};
use crate::analytics::summary::{self, DaySummary};
use crate::error::DomainError;
use crate::model::App;
use chrono::{DateTime, NaiveDate, Utc};

/// Every app the jobs look at: all but the built-in console app (admins sign in through it;
/// it is neither shown on a dashboard nor billed).
async fn analysed_apps(svc: &Service) -> Result<Vec<App>, DomainError> {
    let mut apps = Vec::new();
    for app_id in svc.store.list_apps().await? {
        if app_id == crate::ops::admin::console::CONSOLE_APP {
            continue;
        }
        if let Some(app) = svc.store.get_app(&app_id).await? {
            apps.push(app);
        }
    }
    Ok(apps)
}

/// The UTC day of `at`.
fn day_of(at: DateTime<Utc>) -> NaiveDate {
    at.date_naive()
}

/// A stored daily rollup; `None` when there is none or it cannot be read back (it is then
/// rebuilt from events, which are the source of truth).
async fn stored_daily(
    svc: &Service,
    app_id: &str,
    day: NaiveDate,
) -> Result<Option<DailyRollup>, DomainError> {
    let Some(bytes) = svc.objects.get(&daily::key(app_id, day)).await? else { return Ok(None) };
    match serde_json::from_slice::<DailyRollup>(&bytes) {
        Ok(rollup) if rollup.version == daily::VERSION => Ok(Some(rollup)),
        Ok(_) | Err(_) => {
            tracing::warn!(app_id = %app_id, %day, "daily rollup unreadable; rebuilt from events");
            Ok(None)
        }
    }
}

/// A stored day summary, `None` when there is none or it cannot be read back.
async fn stored_summary(
    svc: &Service,
    app_id: &str,
    day: NaiveDate,
) -> Result<Option<DaySummary>, DomainError> {
    let Some(bytes) = svc.objects.get(&summary::key(app_id, day)).await? else { return Ok(None) };
    Ok(serde_json::from_slice::<DaySummary>(&bytes).ok().filter(|s| s.version == summary::VERSION))
}

/// Stores a day's rollup and its dashboard summary.
async fn put_daily(svc: &Service, rollup: &DailyRollup) -> Result<(), DomainError> {
    let (app_id, day) = (&rollup.app_id, rollup.day);
    let bytes = daily::to_bytes(rollup).map_err(aggregate::internal)?;
    svc.objects.put(&daily::key(app_id, day), bytes, aggregate::JSON).await?;
    let bytes = summary::to_bytes(&DaySummary::of(rollup)).map_err(aggregate::internal)?;
    svc.objects.put(&summary::key(app_id, day), bytes, aggregate::JSON).await?;
    Ok(())
}

/// `day`'s rollup as of `as_of`: a settled stored one as it is, an unsettled one carried on
/// with the events after its `as_of` (so a run every few minutes reads each event about once),
/// else one built from all the day's events.
async fn up_to_date(
    svc: &Service,
    app_id: &str,
    day: NaiveDate,
    as_of: DateTime<Utc>,
) -> Result<DailyRollup, DomainError> {
    match stored_daily(svc, app_id, day).await? {
        Some(stored) if stored.complete => Ok(stored),
        Some(stored) if stored.as_of <= as_of => {
            let (_, to) = daily::window(day, as_of);
            let events = svc.store.list_events_between(app_id, stored.as_of, to).await?;
            let mut builder = daily::Builder::resume(stored);
            for event in &events {
                builder.add(event);
            }
            Ok(builder.finish(as_of))
        }
        _ => build_daily(svc, app_id, day, as_of).await,
    }
}

/// Rolls `day` up from the app's events as of `as_of`.
async fn build_daily(
    svc: &Service,
    app_id: &str,
    day: NaiveDate,
    as_of: DateTime<Utc>,
) -> Result<DailyRollup, DomainError> {
    let (from, to) = daily::window(day, as_of);
    let events = svc.store.list_events_between(app_id, from, to).await?;
    Ok(daily::build(app_id, day, &events, as_of))
}
