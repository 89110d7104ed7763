//! Daily report snapshots: all of an app's in one partition, by day.
//!
//! Item: pk `REPORT#<app>`, sk `yyyy-mm-dd`, `record` (JSON).
//! Access patterns:
//! - put: 1 PutItem (replaces the day's snapshot).
//! - list: 1 Query of the partition between two days (consistent), paged.

use super::{DynamoStore, from_json, get_s, key, s, sdk_error, to_json};
use async_trait::async_trait;
use chrono::NaiveDate;
use ferrokey_core::model::DailyReport;
use ferrokey_core::ports::{ReportStore, StoreResult};

fn report_pk(app_id: &str) -> String {
    format!("REPORT#{app_id}")
}

#[async_trait]
impl ReportStore for DynamoStore {
    async fn put_report(&self, report: &DailyReport) -> StoreResult<()> {
        let mut item = key(report_pk(&report.app_id), &report.day.to_string());
        item.insert("record".into(), s(to_json(report)?));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn list_reports(
        &self,
        app_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> StoreResult<Vec<DailyReport>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(report_pk(app_id)))
            .expression_attribute_values(":from", s(from.to_string()))
            .expression_attribute_values(":to", s(to.to_string()))
            .consistent_read(true);
        let items = self.query_all(query).await?;
        items.iter().map(|item| from_json(get_s(item, "record")?)).collect()
    }
}
