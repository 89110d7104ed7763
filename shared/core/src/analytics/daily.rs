//! One app's day of ceremonies as the aggregation job rolls it up (ANALYTICS.md, "Rollups"):
//! counts by kind × outcome × platform × country (with the country's M49 region), a mergeable
//! 100 ms histogram of completed ceremonies' durations, ceremonies begun, authenticators,
//! backup flags and step-up purposes. Built from the day's events alone, so the job can
//! rebuild any day; serialised deterministically (sorted maps and rows), so a rebuild from the
//! same events gives the same bytes.

use crate::analytics::platform;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped when the layout changes, so readers can tell old objects.
pub const VERSION: u32 = 2;
/// Width of a duration bucket.
pub const BUCKET_MS: i64 = 100;

/// `register` or `login` (step-up counts as login, with its purpose).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Register,
    Login,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Completed,
    Failed,
    /// Begun, and the session expired without a complete.
    Incomplete,
}

/// One cell of the counts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Row {
    pub kind: Kind,
    pub outcome: Outcome,
    pub platform: platform::Platform,
    /// The finer OS name (`"iOS"`, `"ChromeOS"`, …).
    pub os: String,
    /// ISO 3166 alpha-2, `""` when unknown.
    pub country: String,
    /// M49 region and sub-region of the country, `"Unknown"` when it has none.
    pub region: String,
    pub sub_region: String,
    pub count: u64,
}

/// Counts per kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PerKind {
    pub register: u64,
    pub login: u64,
}

impl PerKind {
    pub(super) fn add(&mut self, kind: Kind) {
        match kind {
            Kind::Register => self.register += 1,
            Kind::Login => self.login += 1,
        }
    }
}

/// Completed ceremonies whose authenticator reported its backup flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Backup {
    /// Backup state set: the passkey is synced (iCloud Keychain, Google Password Manager, …).
    pub synced: u64,
    pub device_bound: u64,
}

/// One app's day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyRollup {
    pub version: u32,
    pub app_id: String,
    pub day: NaiveDate,
    /// Ceremonies begun on the day.
    pub begun: PerKind,
    /// Completed, failed and incomplete ceremonies, sorted.
    pub rows: Vec<Row>,
    /// Completed ceremonies by duration: bucket `i` holds durations in
    /// `[i × 100 ms, (i + 1) × 100 ms)`. Sparse; two days merge by adding buckets.
    pub durations: BTreeMap<u32, u64>,
    /// Completed ceremonies by AAGUID (those that reported one).
    pub authenticators: BTreeMap<String, u64>,
    pub backup: Backup,
    /// Completed logins by purpose.
    pub purposes: BTreeMap<String, u64>,
    /// The events it was built from end here (at most a session lifetime past the day's end,
    /// when every ceremony of the day has settled): the dashboard adds what came later.
    pub as_of: DateTime<Utc>,
    /// Whether every ceremony begun on the day has settled (its session could expire before
    /// the data the rollup was built from ends): days before yesterday always are.
    pub complete: bool,
    /// Ceremonies begun on the day, neither settled nor expired by `as_of`: what a later run
    /// resumes from (see [`Builder::resume`]), so it needs only the events after `as_of`.
    pub open: Vec<OpenBegin>,
}

/// A begin still waiting for its complete, fail or expiry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenBegin {
    pub at: DateTime<Utc>,
    pub ceremony_id: String,
    pub kind: Kind,
    pub platform: platform::Platform,
    pub os: String,
    pub country: String,
}

pub use super::builder::{Builder, build};

/// The start of `day`, UTC.
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The window of events [`build`] needs for `day` as of `as_of`: from the day's start to a
/// session lifetime past its end, or `as_of` if sooner.
pub fn window(day: NaiveDate, as_of: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = start_of(day) + Duration::days(1) + crate::ops::session::lifetime();
    (start_of(day), as_of.min(end))
}

/// The object key of a day's rollup.
pub fn key(app_id: &str, day: NaiveDate) -> String {
    format!("rollups/{app_id}/daily/{}.json", day.format("%Y-%m-%d"))
}

/// The rollup's bytes: pretty JSON with a final newline, the same for the same rollup.
pub fn to_bytes(rollup: &DailyRollup) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = serde_json::to_vec_pretty(rollup)?;
    bytes.push(b'\n');
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::platform::Platform;
    use crate::events::{Ceremony, CeremonyFacts, Event, EventKind, Stage};

    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
    const WINDOWS: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
    const MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15";
    const LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.to_utc()).unwrap_or_default()
    }

    struct Step<'a> {
        app: &'a str,
        at: &'a str,
        ceremony: Ceremony,
        stage: Stage,
        id: &'a str,
        ua: &'a str,
        country: &'a str,
        duration_ms: Option<i64>,
        aaguid: Option<&'a str>,
        backup: Option<bool>,
        purpose: Option<&'a str>,
    }

    fn event(s: Step<'_>) -> Event {
        let kind = match (s.ceremony, s.stage) {
            (Ceremony::Register, Stage::Begin) => EventKind::ApiAuthPasskeyRegistrationBegan,
            (Ceremony::Register, Stage::Complete) => EventKind::ApiAuthPasskeyRegistrationCompleted,
            (Ceremony::Register, Stage::Fail) => EventKind::ApiAuthPasskeyRegistrationFailed,
            (Ceremony::Signin, Stage::Begin) => EventKind::ApiUserSignInBegan,
            (Ceremony::Signin, Stage::Complete) => EventKind::ApiUserSignInCompleted,
            (Ceremony::Signin, Stage::Fail) => EventKind::ApiUserSignInFailed,
        };
        Event::new(s.app, kind, at(s.at), "k", "u", "m").with_ceremony(CeremonyFacts {
            ceremony: Some(s.ceremony),
            stage: Some(s.stage),
            ceremony_id: s.id.into(),
            duration_ms: s.duration_ms,
            user_agent: s.ua.into(),
            country: s.country.into(),
            aaguid: s.aaguid.map(String::from),
            backup_eligible: s.backup,
            backup_state: s.backup,
            purpose: s.purpose.map(String::from),
            error_code: None,
        })
    }

    fn step<'a>(
        at: &'a str,
        ceremony: Ceremony,
        stage: Stage,
        id: &'a str,
        ua: &'a str,
        country: &'a str,
    ) -> Step<'a> {
        Step {
            app: "shop",
            at,
            ceremony,
            stage,
            id,
            ua,
            country,
            duration_ms: None,
            aaguid: None,
            backup: None,
            purpose: None,
        }
    }

    /// A day of six ceremonies, with the numbers written out by hand.
    #[test]
    fn a_day_rolls_up_as_counted_by_hand() {
        use Ceremony::{Register, Signin};
        use Stage::{Begin, Complete, Fail};
        let events = vec![
            // The day before: not this day's.
            event(step("2026-11-29T23:59:00Z", Signin, Begin, "z", MAC, "SE")),
            // A: a registration on an iPhone in Sweden, 3.4 s, a synced passkey.
            event(step("2026-11-30T10:00:00Z", Register, Begin, "a", IPHONE, "SE")),
            event(Step {
                duration_ms: Some(3400),
                aaguid: Some("FBFC3007-154E-4ECC-8C0B-6E020557D7BD"),
                backup: Some(true),
                ..step("2026-11-30T10:00:03.400Z", Register, Complete, "a", IPHONE, "se")
            }),
            // B: a step-up on Windows in the US, 1.25 s, device-bound.
            event(step("2026-11-30T11:00:00Z", Signin, Begin, "b", WINDOWS, "US")),
            event(Step {
                duration_ms: Some(1250),
                backup: Some(false),
                purpose: Some("step-up"),
                ..step("2026-11-30T11:00:01.250Z", Signin, Complete, "b", WINDOWS, "US")
            }),
            // C: a failed sign-in on Android, country unknown.
            event(step("2026-11-30T12:00:00Z", Signin, Begin, "c", ANDROID, "")),
            event(step("2026-11-30T12:00:05Z", Signin, Fail, "c", ANDROID, "")),
            // F: a sign-in begun on a Mac and abandoned.
            event(step("2026-11-30T13:00:00Z", Signin, Begin, "f", MAC, "")),
            // Another app's event on the day.
            event(Step {
                app: "other",
                ..step("2026-11-30T14:00:00Z", Signin, Begin, "o", MAC, "SE")
            }),
            // D: begun in Mexico a minute before midnight, completed after it.
            event(step("2026-11-30T23:59:30Z", Signin, Begin, "d", MAC, "MX")),
            // E: a registration begun on Linux in Japan at 23:59:50, never completed.
            event(step("2026-11-30T23:59:50Z", Register, Begin, "e", LINUX, "JP")),
            event(Step {
                duration_ms: Some(40_000),
                ..step("2026-12-01T00:00:10Z", Signin, Complete, "d", MAC, "MX")
            }),
        ];
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
        let rollup = build("shop", day, &events, at("2026-12-01T00:05:00Z"));
        assert_eq!(rollup.begun, PerKind { register: 2, login: 4 });
        let row = |kind, outcome, platform, os: &str, country: &str, region: &str, sub: &str| Row {
            kind,
            outcome,
            platform,
            os: os.into(),
            country: country.into(),
            region: region.into(),
            sub_region: sub.into(),
            count: 1,
        };
        use Kind::{Login, Register as Reg};
        use Outcome::{Completed, Failed, Incomplete};
        assert_eq!(
            rollup.rows,
            vec![
                row(Reg, Completed, Platform::Ios, "iOS", "SE", "Europe", "Northern Europe"),
                row(Reg, Incomplete, Platform::Other, "Linux", "JP", "Asia", "Eastern Asia"),
                row(
                    Login,
                    Completed,
                    Platform::Windows,
                    "Windows",
                    "US",
                    "Americas",
                    "Northern America"
                ),
                row(Login, Failed, Platform::Android, "Android", "", "Unknown", "Unknown"),
                row(Login, Incomplete, Platform::Macos, "macOS", "", "Unknown", "Unknown"),
            ]
        );
        assert_eq!(rollup.durations, BTreeMap::from([(12, 1), (34, 1)]));
        assert_eq!(
            rollup.authenticators,
            BTreeMap::from([("fbfc3007-154e-4ecc-8c0b-6e020557d7bd".to_string(), 1)])
        );
        assert_eq!(rollup.backup, Backup { synced: 1, device_bound: 1 });
        assert_eq!(rollup.purposes, BTreeMap::from([("step-up".to_string(), 1)]));
        assert!(rollup.complete);
        // Before E's session expired it is not yet incomplete, and the day is not settled.
        let early = build("shop", day, &events, at("2026-11-30T23:59:55Z"));
        assert!(!early.complete);
        assert!(!early.rows.iter().any(|r| r.country == "JP"));
        // The same events give the same bytes.
        let again = build("shop", day, &events, at("2026-12-01T00:05:00Z"));
        assert_eq!(to_bytes(&rollup).ok(), to_bytes(&again).ok());
        assert_eq!(key("shop", day), "rollups/shop/daily/2026-11-30.json");

        // Resumed: a rollup as of any moment, carried on with the later events only, is the
        // rollup of all of them.
        let end = at("2026-12-01T00:05:00Z");
        for cut in ["2026-11-30T10:00:01Z", "2026-11-30T12:00:00Z", "2026-11-30T23:59:55Z"] {
            let cut = at(cut);
            let before: Vec<Event> =
                events.iter().filter(|e| e.performed_at < cut).cloned().collect();
            let stored = build("shop", day, &before, cut);
            let mut resumed = Builder::resume(stored);
            for event in events.iter().filter(|e| e.performed_at >= cut) {
                resumed.add(event);
            }
            assert_eq!(resumed.finish(end), rollup, "cut at {cut}");
        }
        // E is open until its session expires (D's complete is among the events given).
        let open: Vec<&str> = early.open.iter().map(|o| o.ceremony_id.as_str()).collect();
        assert_eq!(open, ["e"]);
        assert!(rollup.open.is_empty());
    }
}
