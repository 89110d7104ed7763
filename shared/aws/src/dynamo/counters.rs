//! Counters in fixed windows (rate limits, quotas).
//!
//! Item: pk `COUNT#<app>#<name>`, sk `N`, `value` (N), `ttl`.
//! Access patterns:
//! - bump: 1 UpdateItem `ADD value 1` on condition `value < :limit` (atomic: concurrent callers
//!   cannot overshoot the limit).
//! - read: 1 BatchGetItem of the named counters (consistent).
//! - count once: 1 TransactWriteItems: the marker counter's `ADD value 1` on condition
//!   `attribute_not_exists(value)` and the counter's `ADD value 1`, so the count is exact.

use super::{DynamoStore, build_error, key, n, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::ports::{CounterStore, StoreResult};

pub(crate) fn counter_pk(app_id: &str, name: &str) -> String {
    format!("COUNT#{app_id}#{name}")
}

#[async_trait]
impl CounterStore for DynamoStore {
    async fn bump_counter(
        &self,
        app_id: &str,
        name: &str,
        limit: u64,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        if limit < 1 {
            return Ok(false);
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(counter_pk(app_id, name), "N")))
            .update_expression("ADD #v :one SET #t = :ttl")
            .condition_expression("attribute_not_exists(#v) OR #v < :limit")
            .expression_attribute_names("#v", "value")
            .expression_attribute_names("#t", "ttl")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":limit", n(limit))
            .expression_attribute_values(":ttl", n(expires_at.timestamp()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn read_counters(&self, app_id: &str, names: &[String]) -> StoreResult<Vec<u64>> {
        let keys = names.iter().map(|name| key(counter_pk(app_id, name), "N")).collect();
        let found = self.batch_get(keys).await?;
        Ok(names
            .iter()
            .map(|name| {
                found
                    .get(&counter_pk(app_id, name))
                    .and_then(|item| item.get("value"))
                    .and_then(|v| v.as_n().ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_default()
            })
            .collect())
    }

    async fn count_once(
        &self,
        app_id: &str,
        marker: &str,
        counter: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let ttl = n(expires_at.timestamp());
        let update = |name: &str, first_only: bool| {
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(counter_pk(app_id, name), "N")))
                .update_expression("ADD #v :one SET #t = :ttl")
                .expression_attribute_names("#v", "value")
                .expression_attribute_names("#t", "ttl")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":ttl", ttl.clone());
            if first_only {
                update = update.condition_expression("attribute_not_exists(#v)");
            }
            update.build().map(|u| TransactWriteItem::builder().update(u).build())
        };
        let items = vec![
            update(marker, true).map_err(build_error)?,
            update(counter, false).map_err(build_error)?,
        ];
        // The marker's condition fails when it is set: counted before, nothing changes.
        match self.transact(items, |_| "counted already").await {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
