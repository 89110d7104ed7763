//! A day's dashboard summary (`rollups/{app}/summary/{yyyy-mm-dd}.json`): the marginals of
//! its [`DailyRollup`] that the dashboard reads — counts per kind and outcome, completed
//! ceremonies per platform and per country, the duration histogram, authenticators, backup
//! flags and purposes — without the rollup's kind × outcome × platform × OS × country cross
//! product, whose size grows with the countries and browsers an app sees. A few KB a day, so
//! the dashboard's read stays small per day whatever the traffic.

use super::daily::{Backup, DailyRollup, Kind, Outcome, PerKind};
use super::platform::Platform;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped when the layout changes.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DaySummary {
    pub version: u32,
    pub app_id: String,
    pub day: NaiveDate,
    pub as_of: DateTime<Utc>,
    pub complete: bool,
    pub begun: PerKind,
    pub completed: PerKind,
    pub failed: PerKind,
    pub incomplete: PerKind,
    /// Completed ceremonies per platform.
    pub platforms: BTreeMap<Platform, u64>,
    /// Completed ceremonies per country (`""`: unknown).
    pub countries: BTreeMap<String, u64>,
    pub durations: BTreeMap<u32, u64>,
    pub authenticators: BTreeMap<String, u64>,
    pub backup: Backup,
    pub purposes: BTreeMap<String, u64>,
}

fn add(slot: &mut PerKind, kind: Kind, count: u64) {
    match kind {
        Kind::Register => slot.register += count,
        Kind::Login => slot.login += count,
    }
}

impl DaySummary {
    pub fn of(rollup: &DailyRollup) -> DaySummary {
        let mut summary = DaySummary {
            version: VERSION,
            app_id: rollup.app_id.clone(),
            day: rollup.day,
            as_of: rollup.as_of,
            complete: rollup.complete,
            begun: rollup.begun,
            durations: rollup.durations.clone(),
            authenticators: rollup.authenticators.clone(),
            backup: rollup.backup,
            purposes: rollup.purposes.clone(),
            ..DaySummary::default()
        };
        for row in &rollup.rows {
            match row.outcome {
                Outcome::Completed => {
                    add(&mut summary.completed, row.kind, row.count);
                    *summary.platforms.entry(row.platform).or_default() += row.count;
                    *summary.countries.entry(row.country.clone()).or_default() += row.count;
                }
                Outcome::Failed => add(&mut summary.failed, row.kind, row.count),
                Outcome::Incomplete => add(&mut summary.incomplete, row.kind, row.count),
            }
        }
        summary
    }
}

/// The object key of a day's summary.
pub fn key(app_id: &str, day: NaiveDate) -> String {
    format!("rollups/{app_id}/summary/{}.json", day.format("%Y-%m-%d"))
}

/// Compact JSON with a final newline (maps are sorted, so the same summary gives the same bytes).
pub fn to_bytes(summary: &DaySummary) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec(summary)?;
    bytes.push(b'\n');
    Ok(bytes)
}
