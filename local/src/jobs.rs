//! What `ferrokey serve` runs on timers (on AWS, EventBridge schedules run the same use
//! cases as Lambda functions), and the `ferrokey aggregate` / `ferrokey billing` commands.

use chrono::NaiveDate;
use ferrokey_core::Service;
use ferrokey_core::ops::{admin::deletion, analytics, reports};
use std::time::Duration;

/// How long expired tokens are kept so a late caller still hears "expired", not "invalid".
const EXPIRED_TOKEN_GRACE: chrono::Duration = chrono::Duration::days(1);

/// Starts the background jobs: on SQLite the sweeper of expired tokens and events (DynamoDB
/// expires them with TTL); everywhere the hourly report snapshots and due app deletions, and
/// the aggregation every 5 minutes with last month's bill.
pub fn spawn(service: &Service, sweep: bool) {
    if sweep {
        let purge = service.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            loop {
                tick.tick().await;
                match purge.store.purge_tokens(purge.clock.now() - EXPIRED_TOKEN_GRACE).await {
                    Ok(n) => tracing::debug!(purged = n, "expired tokens purged"),
                    Err(e) => tracing::warn!(error = %e, "token purge failed"),
                }
                // Each app's retention decides how long its events stay.
                match purge.store.purge_events(purge.clock.now()).await {
                    Ok(n) => tracing::debug!(purged = n, "events past retention purged"),
                    Err(e) => tracing::warn!(error = %e, "event purge failed"),
                }
            }
        });
    }
    let hourly = service.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match reports::snapshot_all(&hourly).await {
                Ok(n) => tracing::debug!(apps = n, "report snapshots stored"),
                Err(e) => tracing::warn!(error = %e, "report snapshots failed"),
            }
            match deletion::delete_due(&hourly).await {
                Ok(n) => tracing::debug!(apps = n, "due app deletions carried out"),
                Err(e) => tracing::warn!(error = %e, "due app deletions failed"),
            }
        }
    });
    let rollups = service.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(300));
        loop {
            tick.tick().await;
            match analytics::aggregate::run(&rollups, None).await {
                Ok(s) => tracing::debug!(apps = s.apps, days = s.days, "rollups written"),
                Err(e) => tracing::warn!(error = %e, "aggregation failed"),
            }
            // Last month's bill until it is final; after that a run rewrites the same bytes,
            // so the cheap check is whether it is final yet.
            let month = analytics::billing::previous_month(rollups.clock.now());
            if !analytics::billing::is_final(&rollups, &month).await {
                match analytics::billing::run(&rollups, &month).await {
                    Ok(b) => tracing::info!(month = %b.month, closed = b.closed, "bill written"),
                    Err(e) => tracing::warn!(error = %e, "billing failed"),
                }
            }
        }
    });
}

/// `ferrokey aggregate [--day]`: one run; prints its summary.
pub async fn aggregate(service: &Service, day: Option<&str>) -> Result<String, String> {
    let day = match day {
        None => None,
        Some(text) => Some(
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| format!("--day '{text}': give a date as YYYY-MM-DD"))?,
        ),
    };
    let summary = analytics::aggregate::run(service, day).await.map_err(|e| e.to_string())?;
    serde_json::to_string(&summary).map_err(|e| e.to_string())
}

/// `ferrokey billing --month`: writes the month's bill; prints it.
pub async fn billing(service: &Service, month: &str) -> Result<String, String> {
    let bill = analytics::billing::run(service, month).await.map_err(|e| match e {
        ferrokey_core::DomainError::Validation(errors) => {
            errors.values().flatten().cloned().collect::<Vec<_>>().join(" ")
        }
        other => other.to_string(),
    })?;
    serde_json::to_string(&bill).map_err(|e| e.to_string())
}
