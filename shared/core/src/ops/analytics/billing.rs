//! The billing job (ANALYTICS.md, "Billing files and commands"): one row per app with the
//! month's MAU and its users with passkeys at the month's end, written to
//! `billing/{yyyy-mm}.csv` and `.json`. Run after the month closes it is final and a re-run
//! gives the same bytes; run for the open month it is a provisional report.

use super::aggregate::{JSON, internal, write_month};
use super::analysed_apps;
use crate::Service;
use crate::analytics::daily;
use crate::analytics::monthly::{self, Billing, BillingRow};
use crate::error::DomainError;

/// Writes the bill of `month` (`yyyy-mm`) and returns it.
pub async fn run(svc: &Service, month: &str) -> Result<Billing, DomainError> {
    let Some(first) = monthly::parse_month(month) else {
        return Err(DomainError::invalid_field("month", "Give the month as YYYY-MM."));
    };
    let now = svc.clock.now();
    let settled = daily::start_of(monthly::next_month(first)) + chrono::Duration::days(1);
    let mut bill = Billing { month: month.to_string(), closed: now >= settled, apps: Vec::new() };
    // Apps come sorted by id from the store.
    for app in analysed_apps(svc).await? {
        let Some(rollup) = write_month(svc, &app, month, now).await? else { continue };
        bill.closed &= rollup.closed;
        bill.apps.push(BillingRow {
            app_id: app.app_id,
            monthly_active_users: rollup.monthly_active_users,
            users_with_passkeys: rollup.users_with_passkeys,
        });
    }
    bill.apps.sort_by(|a, b| a.app_id.cmp(&b.app_id));
    let (csv, json) = monthly::billing_keys(month);
    svc.objects.put(&csv, monthly::to_csv(&bill), "text/csv").await?;
    svc.objects.put(&json, monthly::to_json(&bill).map_err(internal)?, JSON).await?;
    Ok(bill)
}

/// The month before the one `now` is in, `yyyy-mm`: what the scheduled run bills.
pub fn previous_month(now: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::Datelike;
    let (y, m) =
        if now.month() == 1 { (now.year() - 1, 12) } else { (now.year(), now.month() - 1) };
    format!("{y:04}-{m:02}")
}

/// Whether the month's stored bill is final (written after the month settled).
pub async fn is_final(svc: &Service, month: &str) -> bool {
    let (_, json) = monthly::billing_keys(month);
    match svc.objects.get(&json).await {
        Ok(Some(bytes)) => serde_json::from_slice::<Billing>(&bytes).is_ok_and(|b| b.closed),
        Ok(None) | Err(_) => false,
    }
}
