//! Counters in fixed windows (rate limits, quotas).
//!
//! Item: pk `COUNT#<app>#<name>`, sk `N`, `value` (N), `ttl`.
//! Access patterns:
//! - bump: 1 UpdateItem `ADD value 1` on condition `value < :limit` (atomic: concurrent callers
//!   cannot overshoot the limit).
//! - read: 1 BatchGetItem of the named counters (consistent).

use super::{DynamoStore, key, n, sdk_error};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::ports::{CounterStore, StoreResult};

fn counter_pk(app_id: &str, name: &str) -> String {
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
}
