//! The dashboard's numbers (ANALYTICS.md, "Dashboard API") folded from daily summaries: a pure
//! function of them, so the API costs one small object per day whatever the event volume,
//! and the same rollups give the same numbers on every store.
//!
//! Counts are completed ceremonies unless named otherwise. Medians and averages come from the
//! 100 ms histogram, each duration taken at its bucket's lower bound (3,470 ms counts as
//! 3.4 s, as the 1 s bars floor 3.4 s to 3).

pub use super::dashboard_shape::*;
use super::geo;
use super::summary::DaySummary;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;

/// Google's average password sign-in time (May 2023: passwords 30.4 s, passkeys 14.9 s).
pub const PASSWORD_AVERAGE_SECONDS: f64 = 30.4;
/// The longest period one request may ask for, in days.
pub const MAX_DAYS: i64 = 400;
/// 1 s bars: `0..=19` seconds and "20+".
const BARS: usize = 21;

/// A half-open range of UTC days `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }
    /// The period of equal length just before this one.
    pub fn previous(&self) -> Period {
        Period { from: self.from - Duration::days(self.days()), to: self.from }
    }
    pub fn contains(&self, day: NaiveDate) -> bool {
        day >= self.from && day < self.to
    }
    /// Every day of the period, in order.
    pub fn each_day(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let from = self.from;
        (0..self.days().max(0)).map(move |i| from + Duration::days(i))
    }
}

/// What the fold needs besides the rollups.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub app_id: String,
    pub period: Period,
    pub as_of: DateTime<Utc>,
    pub app_created_at: DateTime<Utc>,
    pub users_with_passkeys: u64,
    /// `(yyyy-mm, MAU)` of every month overlapping the period.
    pub monthly_active_users: Vec<(String, u64)>,
    pub password_average_seconds: f64,
}
/// Completed register and login ceremonies of the days that fall in `period`.
pub fn totals(period: Period, days: &[DaySummary]) -> Totals {
    let mut totals = Totals::default();
    for day in days.iter().filter(|d| period.contains(d.day)) {
        totals.register += day.completed.register;
        totals.login += day.completed.login;
    }
    totals.all = totals.register + totals.login;
    totals
}

fn merge<K: Ord + Clone>(into: &mut BTreeMap<K, u64>, from: &BTreeMap<K, u64>) {
    for (key, n) in from {
        *into.entry(key.clone()).or_default() += n;
    }
}

/// Folds `current` (summaries of days in the period; a day may have several, e.g. today's
/// stored summary and its live remainder) and `previous` (the period before) into the
/// dashboard.
pub fn fold(inputs: Inputs, current: &[DaySummary], previous: &[DaySummary]) -> Dashboard {
    let period = inputs.period;
    let mut usage: BTreeMap<NaiveDate, (u64, u64)> = BTreeMap::new();
    let mut incomplete: BTreeMap<NaiveDate, (u64, u64)> = BTreeMap::new();
    let mut platforms = Platforms::default();
    let mut by_country: BTreeMap<String, u64> = BTreeMap::new();
    let mut durations: BTreeMap<u32, u64> = BTreeMap::new();
    let mut authenticators: BTreeMap<String, u64> = BTreeMap::new();
    let mut purposes: BTreeMap<String, u64> = BTreeMap::new();
    let (mut begun, mut completed, mut failed) = (0, 0, 0);
    let mut backup = Backup::default();
    for day in current.iter().filter(|d| period.contains(d.day)) {
        begun += day.begun.register + day.begun.login;
        completed += day.completed.register + day.completed.login;
        failed += day.failed.register + day.failed.login;
        let used = usage.entry(day.day).or_default();
        used.0 += day.completed.register;
        used.1 += day.completed.login;
        let unfinished = incomplete.entry(day.day).or_default();
        unfinished.0 += day.incomplete.register + day.incomplete.login;
        unfinished.1 += day.failed.register + day.failed.login;
        for (platform, n) in &day.platforms {
            platforms.add(*platform, *n);
        }
        merge(&mut by_country, &day.countries);
        merge(&mut durations, &day.durations);
        merge(&mut authenticators, &day.authenticators);
        merge(&mut purposes, &day.purposes);
        backup.synced += day.backup.synced;
        backup.device_bound += day.backup.device_bound;
    }
    // Regions and sub-regions from the countries, through the one M49 table.
    let mut regions: BTreeMap<String, u64> = BTreeMap::new();
    let mut sub_regions: BTreeMap<(String, String), u64> = BTreeMap::new();
    let mut countries: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (country, n) in by_country {
        let found = geo::region_of(&country);
        let region = found.map_or(geo::UNKNOWN, |r| r.region).to_string();
        let sub_region = found.map_or(geo::UNKNOWN, |r| r.sub_region).to_string();
        *regions.entry(region.clone()).or_default() += n;
        *sub_regions.entry((sub_region, region.clone())).or_default() += n;
        *countries.entry((country, region)).or_default() += n;
    }
    let total = totals(period, current);
    let before = totals(period.previous(), previous);
    // Too young: the app did not exist for the whole period, so nothing compares.
    let young = inputs.app_created_at > super::daily::start_of(period.from);
    let change = |now: u64, then: u64| {
        (!young && then > 0).then(|| round(100.0 * (now as f64 - then as f64) / then as f64, 1))
    };
    Dashboard {
        app_id: inputs.app_id,
        from: period.from,
        to: period.to,
        as_of: inputs.as_of,
        users_with_passkeys: inputs.users_with_passkeys,
        monthly_active_users: inputs
            .monthly_active_users
            .into_iter()
            .map(|(month, users)| MonthUsers { month, users })
            .collect(),
        authentication_time: authentication_time(&durations, inputs.password_average_seconds),
        incomplete: period
            .each_day()
            .map(|date| {
                let (incomplete, failed) = incomplete.get(&date).copied().unwrap_or_default();
                IncompleteDay { date, incomplete, failed }
            })
            .collect(),
        platforms,
        usage: Usage {
            days: period
                .each_day()
                .map(|date| {
                    let (register, login) = usage.get(&date).copied().unwrap_or_default();
                    UsageDay { date, register, login }
                })
                .collect(),
            total,
            previous: before,
            change_percent: Change {
                register: change(total.register, before.register),
                login: change(total.login, before.login),
                all: change(total.all, before.all),
            },
        },
        regions: descending(regions)
            .into_iter()
            .map(|(region, count)| RegionCount { region, count })
            .collect(),
        sub_regions: descending(sub_regions)
            .into_iter()
            .map(|((sub_region, region), count)| SubRegionCount { sub_region, region, count })
            .collect(),
        countries: descending(countries)
            .into_iter()
            .map(|((country, region), count)| CountryCount { country, region, count })
            .collect(),
        begun,
        completed,
        failed,
        success_rate: (begun > 0).then(|| round((completed as f64 / begun as f64).min(1.0), 4)),
        authenticators: descending(authenticators)
            .into_iter()
            .map(|(aaguid, count)| AuthenticatorCount {
                name: crate::aaguid::provider_name(&aaguid),
                aaguid,
                count,
            })
            .collect(),
        backup,
        purposes: descending(purposes)
            .into_iter()
            .map(|(purpose, count)| PurposeCount { purpose, count })
            .collect(),
    }
}

/// Entries by count, highest first; equal counts in key order.
fn descending<K: Ord>(map: BTreeMap<K, u64>) -> Vec<(K, u64)> {
    let mut entries: Vec<(K, u64)> = map.into_iter().collect();
    // A stable sort keeps the BTreeMap's key order among equal counts.
    entries.sort_by_key(|e| std::cmp::Reverse(e.1));
    entries
}

fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

/// The 1 s bars and the median and average, from the 100 ms histogram.
fn authentication_time(durations: &BTreeMap<u32, u64>, password: f64) -> AuthenticationTime {
    let mut buckets = vec![0u64; BARS];
    let mut count = 0u64;
    let mut sum_tenths = 0f64;
    for (bucket, n) in durations {
        let bar = usize::try_from(bucket / 10).unwrap_or(BARS - 1).min(BARS - 1);
        buckets[bar] += n;
        count += n;
        sum_tenths += f64::from(*bucket) * *n as f64;
    }
    // The k-th smallest duration (0-based), in tenths of a second.
    let nth = |k: u64| {
        let mut seen = 0;
        for (bucket, n) in durations {
            seen += n;
            if seen > k {
                return f64::from(*bucket);
            }
        }
        0.0
    };
    let median = match count {
        0 => None,
        c if c % 2 == 1 => Some(nth(c / 2)),
        c => Some((nth(c / 2 - 1) + nth(c / 2)) / 2.0),
    };
    AuthenticationTime {
        count,
        buckets,
        // Rounded in hundredths computed from whole tenths, so halves round exactly (up).
        median_seconds: median.map(|tenths| (tenths * 10.0).round() / 100.0),
        average_seconds: (count > 0).then(|| (sum_tenths * 10.0 / count as f64).round() / 100.0),
        password_average_seconds: password,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn medians_and_averages_come_from_the_histogram() {
        // 0.5 s, 1.2 s, 3.4 s, 25.0 s: bars 0, 1, 3 and 20+.
        let durations = BTreeMap::from([(5, 1), (12, 1), (34, 1), (250, 1)]);
        let time = authentication_time(&durations, PASSWORD_AVERAGE_SECONDS);
        assert_eq!(time.count, 4);
        let mut bars = vec![0; 21];
        (bars[0], bars[1], bars[3], bars[20]) = (1, 1, 1, 1);
        assert_eq!(time.buckets, bars);
        // Median of four: (1.2 + 3.4) / 2; average (0.5 + 1.2 + 3.4 + 25.0) / 4 = 7.525.
        assert_eq!(time.median_seconds, Some(2.3));
        assert_eq!(time.average_seconds, Some(7.53));
        let odd = authentication_time(&BTreeMap::from([(5, 2), (90, 1)]), 30.4);
        assert_eq!(odd.median_seconds, Some(0.5));
        let none = authentication_time(&BTreeMap::new(), 30.4);
        assert_eq!((none.median_seconds, none.average_seconds), (None, None));
    }

    #[test]
    fn periods_are_half_open_days() {
        let p = Period { from: day("2026-11-01"), to: day("2026-12-01") };
        assert_eq!(p.days(), 30);
        assert_eq!(p.previous(), Period { from: day("2026-10-02"), to: day("2026-11-01") });
        assert!(p.contains(day("2026-11-30")) && !p.contains(day("2026-12-01")));
        assert_eq!(p.each_day().count(), 30);
        let one = Period { from: day("2026-11-05"), to: day("2026-11-06") };
        assert_eq!(one.each_day().collect::<Vec<_>>(), vec![day("2026-11-05")]);
    }

    #[test]
    fn ties_keep_key_order() {
        let map = BTreeMap::from([("b", 2), ("a", 2), ("c", 5)]);
        assert_eq!(descending(map), vec![("c", 5), ("a", 2), ("b", 2)]);
    }
}
