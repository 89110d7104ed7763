//! Daily report snapshots: one row per (app, day).

use super::{SqliteStore, from_json, to_json, unavailable};
use async_trait::async_trait;
use chrono::NaiveDate;
use ferrokey_core::model::DailyReport;
use ferrokey_core::ports::{ReportStore, StoreResult};
use rusqlite::params;

#[async_trait]
impl ReportStore for SqliteStore {
    async fn put_report(&self, report: &DailyReport) -> StoreResult<()> {
        let r = report.clone();
        self.with(move |conn| {
            conn.execute(
                "INSERT OR REPLACE INTO reports (app_id, day, record) VALUES (?1, ?2, ?3)",
                params![r.app_id, r.day.to_string(), to_json(&r)?],
            )
            .map(|_| ())
            .map_err(unavailable)
        })
        .await
    }

    async fn list_reports(
        &self,
        app_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<DailyReport>> {
        let app_id = app_id.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT record FROM reports WHERE app_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day",
                )
                .map_err(unavailable)?;
            let rows: Vec<String> = stmt
                .query_map(params![app_id, from.to_string(), to.to_string()], |r| r.get(0))
                .map_err(unavailable)?
                .collect::<Result<_, _>>()
                .map_err(unavailable)?;
            rows.iter().map(|t| from_json(t)).collect()
        })
        .await
    }
}
