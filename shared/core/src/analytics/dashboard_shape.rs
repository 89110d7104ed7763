//! The dashboard API's response (ANALYTICS.md, "Dashboard API"): the types [`super::fold`]
//! fills and the handler serialises, field names as the console reads them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::analytics::platform::Platform;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub app_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub as_of: DateTime<Utc>,
    pub users_with_passkeys: u64,
    pub monthly_active_users: Vec<MonthUsers>,
    pub authentication_time: AuthenticationTime,
    pub incomplete: Vec<IncompleteDay>,
    pub platforms: Platforms,
    pub usage: Usage,
    pub regions: Vec<RegionCount>,
    pub sub_regions: Vec<SubRegionCount>,
    pub countries: Vec<CountryCount>,
    /// Ceremonies begun, completed and failed (all of them, not only completed).
    pub begun: u64,
    pub completed: u64,
    pub failed: u64,
    /// `completed / begun`, four decimals, at most 1; `null` when nothing was begun.
    pub success_rate: Option<f64>,
    pub authenticators: Vec<AuthenticatorCount>,
    pub backup: Backup,
    /// Completed sign-ins by purpose (step-up and plain sign-in).
    pub purposes: Vec<PurposeCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthUsers {
    pub month: String,
    pub users: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationTime {
    pub count: u64,
    /// 21 bars: `buckets[i]` holds durations in `[i s, i + 1 s)`, `buckets[20]` 20 s and more.
    pub buckets: Vec<u64>,
    /// Two decimals; `null` without completed ceremonies.
    pub median_seconds: Option<f64>,
    pub average_seconds: Option<f64>,
    pub password_average_seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncompleteDay {
    pub date: NaiveDate,
    pub incomplete: u64,
    pub failed: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Platforms {
    pub ios: u64,
    pub android: u64,
    pub macos: u64,
    pub windows: u64,
    pub other: u64,
}

impl Platforms {
    pub(super) fn add(&mut self, platform: Platform, count: u64) {
        let slot = match platform {
            Platform::Ios => &mut self.ios,
            Platform::Android => &mut self.android,
            Platform::Macos => &mut self.macos,
            Platform::Windows => &mut self.windows,
            Platform::Other => &mut self.other,
        };
        *slot += count;
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    pub days: Vec<UsageDay>,
    pub total: Totals,
    pub previous: Totals,
    /// Versus the previous period, one decimal; `null` = not enough data (nothing in the
    /// previous period, or the app is younger than the period).
    pub change_percent: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UsageDay {
    pub date: NaiveDate,
    pub register: u64,
    pub login: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub register: u64,
    pub login: u64,
    pub all: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    pub register: Option<f64>,
    pub login: Option<f64>,
    pub all: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegionCount {
    pub region: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubRegionCount {
    pub sub_region: String,
    pub region: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountryCount {
    pub country: String,
    pub region: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthenticatorCount {
    pub aaguid: String,
    /// The provider's name where the AAGUID is known.
    pub name: Option<&'static str>,
    pub count: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    pub synced: u64,
    pub device_bound: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PurposeCount {
    pub purpose: String,
    pub count: u64,
}
