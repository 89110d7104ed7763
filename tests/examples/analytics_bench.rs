//! The analytics benchmarks of BENCHMARKS.md, run on demand (never in the test command):
//!
//! 1. One day of 1,000,000 ceremony events in a SQLite store rolled up by the aggregation job
//!    (`ops::analytics::aggregate::run` for that day): time, events/s, peak memory.
//! 2. The dashboard read (`ops::analytics::dashboard::get`, in process, folder sink) for 1, 30
//!    and 365 days of stored rollups, with 1,000 and 10,000 events a day behind them: p50/p99.
//!
//! `cargo run --release -p ferrokey-tests --example analytics_bench [events]`

use chrono::{DateTime, Duration, NaiveDate, Utc};
use ferrokey_core::analytics::daily;
use ferrokey_core::clock::OffsetClock;
use ferrokey_core::events::{Ceremony, CeremonyFacts, Event, EventKind, Stage};
use ferrokey_core::ops::admin::AdminCaller;
use ferrokey_core::ops::analytics::{aggregate, dashboard};
use std::sync::Arc;
use std::time::Instant;

const UAS: [&str; 7] = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "curl/8.5.0",
];
const COUNTRIES: [&str; 10] = ["SE", "US", "MX", "JP", "DE", "FR", "BR", "IN", "NG", ""];
const AAGUIDS: [&str; 3] = [
    "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4",
    "fbfc3007-154e-4ecc-8c0b-6e020557d7bd",
    "08987058-cadc-4b81-b6e1-30de50dcbe96",
];

/// `n` events of one day: ceremonies of two events (begin, then complete or fail), one in
/// ten abandoned (a begin alone), spread over the day.
fn day_of_events(app: &str, day: NaiveDate, n: usize) -> Vec<Event> {
    let start = daily::start_of(day);
    let mut events = Vec::with_capacity(n);
    let mut i = 0usize;
    while events.len() < n {
        let at = start
            + Duration::milliseconds((i as i64 * 86_400_000 / (n as i64 / 2 + 1)) % 86_399_000);
        let ceremony = if i.is_multiple_of(3) { Ceremony::Register } else { Ceremony::Signin };
        let facts = |stage, duration_ms| CeremonyFacts {
            ceremony: Some(ceremony),
            stage: Some(stage),
            ceremony_id: format!("c{i}"),
            duration_ms,
            user_agent: UAS[i % UAS.len()].into(),
            country: COUNTRIES[i % COUNTRIES.len()].into(),
            aaguid: Some(AAGUIDS[i % AAGUIDS.len()].into()),
            backup_eligible: Some(true),
            backup_state: Some(i.is_multiple_of(2)),
            purpose: (ceremony == Ceremony::Signin).then(|| "sign-in".into()),
            error_code: None,
        };
        let (begin, done) = match ceremony {
            Ceremony::Register => (
                EventKind::ApiAuthPasskeyRegistrationBegan,
                EventKind::ApiAuthPasskeyRegistrationCompleted,
            ),
            Ceremony::Signin => (EventKind::ApiUserSignInBegan, EventKind::ApiUserSignInCompleted),
        };
        events.push(
            Event::new(app, begin, at, "k", "u", "began").with_ceremony(facts(Stage::Begin, None)),
        );
        if i % 10 != 9 && events.len() < n {
            let ms = 300 + (i as i64 * 137) % 25_000;
            let stage = if i.is_multiple_of(17) { Stage::Fail } else { Stage::Complete };
            let e = Event::new(app, done, at + Duration::milliseconds(ms), "k", "u", "done");
            events.push(e.with_ceremony(facts(stage, Some(ms))));
        }
        i += 1;
    }
    events
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or_default();
    kb / 1024.0
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let clock = Arc::new(OffsetClock::default());
    let created: DateTime<Utc> = "2025-11-01T00:00:00Z".parse().expect("time");
    clock.set(created);
    let (svc, _) = ferrokey_embedded::open_service(dir.path(), Some(clock.clone())).expect("store");
    svc.create_app("big").await.expect("app");

    // 1. A day of `events` events rolled up.
    let day = NaiveDate::from_ymd_opt(2026, 11, 30).expect("day");
    let generated = day_of_events("big", day, events);
    let insert = Instant::now();
    for chunk in generated.chunks(5_000) {
        svc.store.append_events(chunk).await.expect("insert");
    }
    println!("inserted {} events in {:.1} s", generated.len(), insert.elapsed().as_secs_f64());
    drop(generated);
    clock.set(daily::start_of(day) + Duration::days(2));
    let job = Instant::now();
    let summary = aggregate::run(&svc, Some(day)).await.expect("aggregate");
    let secs = job.elapsed().as_secs_f64();
    println!(
        "aggregate --day: {events} events in {secs:.2} s = {:.0} events/s ({summary:?}); peak RSS {:.0} MB",
        events as f64 / secs,
        peak_rss_mb()
    );

    // 2. The dashboard over 365 days of stored rollups, at two event volumes.
    let today = NaiveDate::from_ymd_opt(2026, 11, 1).expect("today");
    clock.set(daily::start_of(today) + Duration::hours(12));
    for (app, per_day) in [("small", 1_000usize), ("large", 10_000)] {
        let mut app_record = ferrokey_core::model::App::new(app, created);
        app_record.org = Some("default".into());
        svc.store.create_app(&app_record, &[]).await.expect("app");
        for back in 0..=365 {
            let d = today - Duration::days(back);
            let events = day_of_events(app, d, per_day);
            let rollup = daily::build(app, d, &events, daily::start_of(d) + Duration::days(2));
            let bytes = daily::to_bytes(&rollup).expect("bytes");
            svc.objects.put(&daily::key(app, d), bytes, "application/json").await.expect("put");
        }
        for days in [1i64, 30, 365] {
            let to = (today + Duration::days(1)).format("%Y-%m-%d").to_string();
            let from = (today + Duration::days(1 - days)).format("%Y-%m-%d").to_string();
            let mut times = Vec::new();
            for _ in 0..100 {
                let t = Instant::now();
                let d = dashboard::get(&svc, &AdminCaller::Management, app, Some(&from), Some(&to))
                    .await
                    .expect("dashboard");
                times.push(t.elapsed().as_secs_f64() * 1000.0);
                assert_eq!(d.usage.days.len() as i64, days);
            }
            times.sort_by(|a, b| a.total_cmp(b));
            println!(
                "dashboard {app:>5} ({per_day:>6} events/day) {days:>3} days: p50 {:.2} ms, p99 {:.2} ms",
                percentile(&times, 0.5),
                percentile(&times, 0.99)
            );
        }
    }
}
