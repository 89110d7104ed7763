//! One app's month as the aggregation job writes it (`rollups/{app}/monthly/{yyyy-mm}.json`:
//! MAU and the month's totals) and the billing files built from the months of every app
//! (`billing/{yyyy-mm}.csv` and `.json`, ANALYTICS.md "Billing files and commands").

use super::daily::{DailyRollup, Outcome, PerKind};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Bumped when the layout changes.
pub const VERSION: u32 = 1;

/// One app's month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MonthlyRollup {
    pub version: u32,
    pub app_id: String,
    /// `yyyy-mm`.
    pub month: String,
    /// Distinct users with a completed ceremony in the month (the exact MAU counter).
    pub monthly_active_users: u64,
    /// Users with passkeys as last seen within the month (at its end, once it closed).
    pub users_with_passkeys: u64,
    /// When `users_with_passkeys` was read.
    pub observed_at: DateTime<Utc>,
    /// The month is over and settled: the object no longer changes.
    pub closed: bool,
    pub begun: PerKind,
    pub completed: PerKind,
    pub failed: PerKind,
    pub incomplete: PerKind,
}

impl MonthlyRollup {
    /// Adds a day's counts.
    pub fn add_day(&mut self, day: &DailyRollup) {
        self.begun.register += day.begun.register;
        self.begun.login += day.begun.login;
        for row in &day.rows {
            let slot = match row.outcome {
                Outcome::Completed => &mut self.completed,
                Outcome::Failed => &mut self.failed,
                Outcome::Incomplete => &mut self.incomplete,
            };
            match row.kind {
                super::daily::Kind::Register => slot.register += row.count,
                super::daily::Kind::Login => slot.login += row.count,
            }
        }
    }
}

/// `yyyy-mm` parsed to the month's first day.
pub fn parse_month(text: &str) -> Option<NaiveDate> {
    let (year, month) = text.trim().split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// The first day of the month after `first`'s.
pub fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) =
        if first.month() == 12 { (first.year() + 1, 1) } else { (first.year(), first.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first + Duration::days(31))
}

/// The object key of a month's rollup.
pub fn key(app_id: &str, month: &str) -> String {
    format!("rollups/{app_id}/monthly/{month}.json")
}

/// One app's line of a month's bill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillingRow {
    pub app_id: String,
    pub monthly_active_users: u64,
    pub users_with_passkeys: u64,
}

/// The month's bill, as `billing/{yyyy-mm}.json` holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Billing {
    pub month: String,
    /// `false` while the month is open or settling: a provisional report.
    pub closed: bool,
    /// Sorted by app id.
    pub apps: Vec<BillingRow>,
}

/// The object keys of a month's bill: `.csv` and `.json`.
pub fn billing_keys(month: &str) -> (String, String) {
    (format!("billing/{month}.csv"), format!("billing/{month}.json"))
}

/// `app_id,monthly_active_users,users_with_passkeys`, one row per app, LF line ends. App ids
/// are `[a-z0-9-]`, so no field needs quoting.
pub fn to_csv(billing: &Billing) -> Vec<u8> {
    let mut text = String::from("app_id,monthly_active_users,users_with_passkeys\n");
    for row in &billing.apps {
        text.push_str(&format!(
            "{},{},{}\n",
            row.app_id, row.monthly_active_users, row.users_with_passkeys
        ));
    }
    text.into_bytes()
}

/// Pretty JSON with a final newline: the same bill gives the same bytes.
pub fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec_pretty(value)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_roll_over() {
        let nov = parse_month("2026-11").unwrap_or_default();
        assert_eq!(nov, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default());
        assert_eq!(next_month(nov).to_string(), "2026-12-01");
        assert_eq!(next_month(next_month(nov)).to_string(), "2027-01-01");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-11-01"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }

    #[test]
    fn csv_has_a_header_and_lf_rows() {
        let bill = Billing {
            month: "2026-11".into(),
            closed: true,
            apps: vec![
                BillingRow { app_id: "a".into(), monthly_active_users: 3, users_with_passkeys: 5 },
                BillingRow { app_id: "b".into(), monthly_active_users: 0, users_with_passkeys: 1 },
            ],
        };
        assert_eq!(
            String::from_utf8(to_csv(&bill)).unwrap_or_default(),
            "app_id,monthly_active_users,users_with_passkeys\na,3,5\nb,0,1\n"
        );
    }
}
