//! Builds a [`DailyRollup`] event by event, from nothing or resumed from a stored rollup.
//!
//! Events come oldest first (as the stores list them). A begin waits in `pending` until its
//! complete or fail settles it; when the rollup is finished, a pending begin whose session
//! expired counts as incomplete and the others stay `open` in the rollup. Resuming from a
//! stored rollup and adding only the events after its `as_of` gives the same rollup as a
//! rebuild from all the day's events, so the scheduled job reads each event about once.

use super::daily::{
    BUCKET_MS, Backup, DailyRollup, Kind, OpenBegin, Outcome, PerKind, Row, VERSION,
};
use super::{geo, platform};
use crate::events::{Ceremony, Event, Stage};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};

type Cell = (Kind, Outcome, platform::Platform, String, String);

/// A rollup being built.
pub struct Builder {
    rollup: DailyRollup,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    cells: BTreeMap<Cell, u64>,
    pending: HashMap<String, OpenBegin>,
    /// Settled ceremonies whose begin was not seen (yet): begun the day before, or listed
    /// after their complete within one millisecond.
    settled_early: BTreeSet<String>,
}

fn kind_of(ceremony: Ceremony) -> Kind {
    match ceremony {
        Ceremony::Register => Kind::Register,
        Ceremony::Signin => Kind::Login,
    }
}

impl Builder {
    /// An empty rollup of `day` of `app_id`.
    pub fn new(app_id: &str, day: NaiveDate) -> Builder {
        let start = super::daily::start_of(day);
        Builder::resume(DailyRollup {
            version: VERSION,
            app_id: app_id.to_string(),
            day,
            begun: PerKind::default(),
            rows: vec![],
            durations: BTreeMap::new(),
            authenticators: BTreeMap::new(),
            backup: Backup::default(),
            purposes: BTreeMap::new(),
            as_of: start,
            complete: false,
            open: vec![],
        })
    }

    /// Goes on from a stored rollup: add the events from its `as_of` on.
    pub fn resume(rollup: DailyRollup) -> Builder {
        let start = super::daily::start_of(rollup.day);
        let mut builder = Builder {
            start,
            end: start + Duration::days(1),
            cells: BTreeMap::new(),
            pending: HashMap::new(),
            settled_early: BTreeSet::new(),
            rollup,
        };
        for row in std::mem::take(&mut builder.rollup.rows) {
            let cell = (row.kind, row.outcome, row.platform, row.os, row.country);
            *builder.cells.entry(cell).or_default() += row.count;
        }
        for open in std::mem::take(&mut builder.rollup.open) {
            builder.pending.insert(open.ceremony_id.clone(), open);
        }
        builder
    }

    /// Counts one event (other apps' and non-ceremony events are ignored).
    pub fn add(&mut self, event: &Event) {
        if event.app_id != self.rollup.app_id {
            return;
        }
        let Some(facts) = &event.ceremony else { return };
        let (Some(ceremony), Some(stage)) = (facts.ceremony, facts.stage) else { return };
        let kind = kind_of(ceremony);
        let in_day = event.performed_at >= self.start && event.performed_at < self.end;
        let id = facts.ceremony_id.clone();
        if stage == Stage::Begin {
            if !in_day {
                return;
            }
            self.rollup.begun.add(kind);
            if !self.settled_early.remove(&id) {
                let (platform, os) = platform::classify(&facts.user_agent);
                let country = facts.country.trim().to_ascii_uppercase();
                let at = event.performed_at;
                let open = OpenBegin {
                    at,
                    ceremony_id: id.clone(),
                    kind,
                    platform,
                    os: os.into(),
                    country,
                };
                self.pending.insert(id, open);
            }
            return;
        }
        // A complete or fail settles its begin, whichever day either fell on.
        if self.pending.remove(&id).is_none() {
            self.settled_early.insert(id);
        }
        if !in_day {
            return;
        }
        let outcome = if stage == Stage::Fail { Outcome::Failed } else { Outcome::Completed };
        if outcome == Outcome::Completed {
            let ms = facts.duration_ms.unwrap_or_default().max(0);
            let bucket = u32::try_from(ms / BUCKET_MS).unwrap_or(u32::MAX);
            *self.rollup.durations.entry(bucket).or_default() += 1;
            // The all-zero AAGUID names no provider (an authenticator that does not say).
            let named = |a: &&String| !a.is_empty() && a.bytes().any(|b| b != b'0' && b != b'-');
            if let Some(aaguid) = facts.aaguid.as_ref().filter(named) {
                *self.rollup.authenticators.entry(aaguid.to_lowercase()).or_default() += 1;
            }
            match facts.backup_state {
                Some(true) => self.rollup.backup.synced += 1,
                Some(false) => self.rollup.backup.device_bound += 1,
                None => {}
            }
            if kind == Kind::Login {
                let purpose = facts.purpose.clone().unwrap_or_else(|| "sign-in".into());
                *self.rollup.purposes.entry(purpose).or_default() += 1;
            }
        }
        let (platform, os) = platform::classify(&facts.user_agent);
        let country = facts.country.trim().to_ascii_uppercase();
        *self.cells.entry((kind, outcome, platform, os.into(), country)).or_default() += 1;
    }

    /// The rollup as of `as_of` (the end of the events added): begins whose session expired
    /// by then are incomplete, the rest stay open.
    pub fn finish(mut self, as_of: DateTime<Utc>) -> DailyRollup {
        let lifetime = crate::ops::session::lifetime();
        let mut open = Vec::new();
        for begin in self.pending.into_values() {
            if begin.at + lifetime <= as_of {
                let cell =
                    (begin.kind, Outcome::Incomplete, begin.platform, begin.os, begin.country);
                *self.cells.entry(cell).or_default() += 1;
            } else {
                open.push(begin);
            }
        }
        open.sort();
        self.rollup.open = open;
        self.rollup.as_of = as_of.min(self.end + lifetime);
        self.rollup.complete = as_of >= self.end + lifetime;
        self.rollup.rows = self
            .cells
            .into_iter()
            .map(|((kind, outcome, platform, os, country), count)| {
                let region = geo::region_of(&country);
                Row {
                    kind,
                    outcome,
                    platform,
                    os,
                    region: region.as_ref().map_or(geo::UNKNOWN, |r| r.region).to_string(),
                    sub_region: region.as_ref().map_or(geo::UNKNOWN, |r| r.sub_region).to_string(),
                    country,
                    count,
                }
            })
            .collect();
        self.rollup
    }
}

/// Rolls up `day` of `app_id` from `events`: every event of the app from the day's start to
/// `as_of` (at least one session lifetime past the day's end when the day is over), so that a
/// ceremony begun just before midnight and completed after it is not taken for incomplete.
/// Completes and failures count on the day they happened; a begin without either becomes
/// incomplete once its session expired by `as_of`.
pub fn build(app_id: &str, day: NaiveDate, events: &[Event], as_of: DateTime<Utc>) -> DailyRollup {
    let mut builder = Builder::new(app_id, day);
    for event in events {
        builder.add(event);
    }
    builder.finish(as_of)
}
