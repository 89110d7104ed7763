//! Authentication configurations: all of an app's in one partition.
//!
//! Item: pk `CFG#<app>`, sk = purpose, `record` (JSON without the last use), `last_used` (N, ms).
//! Access patterns:
//! - get: 1 GetItem (consistent; hosts cache it for the key-cache window).
//! - list: 1 Query of the partition (consistent).
//! - add / replace / delete: 1 conditional PutItem / UpdateItem / DeleteItem.
//! - touch: 1 UpdateItem `SET last_used, record = if_not_exists(record, :preset)`, at most
//!   once a minute per purpose (see `ops::auth_configs::TOUCH_AFTER`).

use super::{DynamoStore, Item, from_json, get_s, key, n, s, sdk_error, to_json};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::AuthConfig;
use ferrokey_core::ports::{AuthConfigStore, StoreResult};

fn cfg_pk(app_id: &str) -> String {
    format!("CFG#{app_id}")
}

fn record(config: &AuthConfig) -> StoreResult<String> {
    to_json(&AuthConfig { last_used_on: None, ..config.clone() })
}

fn from_item(item: &Item) -> StoreResult<AuthConfig> {
    let mut config: AuthConfig = from_json(get_s(item, "record")?)?;
    config.last_used_on = match item.get("last_used").and_then(|v| v.as_n().ok()) {
        Some(ms) => {
            let ms: i64 = ms.parse().map_err(|_| StoreError::Corrupt(format!("last_used {ms}")))?;
            DateTime::from_timestamp_millis(ms)
        }
        None => None,
    };
    Ok(config)
}

fn failed_condition<E: aws_sdk_dynamodb::error::ProvideErrorMetadata>(e: &E) -> bool {
    e.code() == Some("ConditionalCheckFailedException")
}

#[async_trait]
impl AuthConfigStore for DynamoStore {
    async fn get_auth_config(
        &self,
        app_id: &str,
        purpose: &str,
    ) -> StoreResult<Option<AuthConfig>> {
        self.get_item(cfg_pk(app_id), purpose).await?.as_ref().map(from_item).transpose()
    }

    async fn list_auth_configs(&self, app_id: &str) -> StoreResult<Vec<AuthConfig>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s(cfg_pk(app_id)))
            .consistent_read(true);
        self.query_all(query).await?.iter().map(from_item).collect()
    }

    async fn add_auth_config(&self, config: &AuthConfig) -> StoreResult<()> {
        let mut item = key(cfg_pk(&config.app_id), &config.purpose);
        item.insert("record".into(), s(record(config)?));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.as_service_error().is_some_and(failed_condition) => {
                Err(StoreError::Conflict(format!("configuration {}", config.purpose)))
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn replace_auth_config(&self, config: &AuthConfig) -> StoreResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(cfg_pk(&config.app_id), &config.purpose)))
            .update_expression("SET #r = :r")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#r", "record")
            .expression_attribute_values(":r", s(record(config)?))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(failed_condition) => Ok(false),
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn delete_auth_config(&self, app_id: &str, purpose: &str) -> StoreResult<bool> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(cfg_pk(app_id), purpose)))
            .condition_expression("attribute_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(failed_condition) => Ok(false),
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn touch_auth_config(&self, preset: &AuthConfig, at: DateTime<Utc>) -> StoreResult<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(cfg_pk(&preset.app_id), &preset.purpose)))
            .update_expression("SET last_used = :t, #r = if_not_exists(#r, :preset)")
            .expression_attribute_names("#r", "record")
            .expression_attribute_values(":t", n(at.timestamp_millis()))
            .expression_attribute_values(":preset", s(record(preset)?))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}
