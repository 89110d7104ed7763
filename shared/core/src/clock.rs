//! Time as a port, so tests can move it forward to expire tokens.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// The source of "now" for every expiry decision.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// `t` cut to whole milliseconds: the precision both stores keep, so a value reads back
/// exactly as it was written (a credential's `createdAt` and `lastUsedAt` agree).
pub fn millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        millis(Utc::now())
    }
}

/// Wall clock plus an adjustable offset (tests skip ahead without sleeping), or, once
/// [`set`](OffsetClock::set), a stopped clock that only moves when told (tests that need exact
/// durations).
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset: Mutex<Duration>,
    stopped: Mutex<Option<DateTime<Utc>>>,
}

impl OffsetClock {
    pub fn advance(&self, by: Duration) {
        if let Ok(mut stopped) = self.stopped.lock()
            && let Some(at) = stopped.as_mut()
        {
            *at += by;
            return;
        }
        if let Ok(mut offset) = self.offset.lock() {
            *offset += by;
        }
    }

    /// Stops the clock at `at`: `now()` answers `at` until the next `set` or `advance`.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut stopped) = self.stopped.lock() {
            *stopped = Some(at);
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        if let Some(at) = self.stopped.lock().ok().and_then(|s| *s) {
            return millis(at);
        }
        let offset = self.offset.lock().map(|o| *o).unwrap_or_default();
        millis(Utc::now() + offset)
    }
}
