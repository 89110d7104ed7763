//! Apps and API keys.
//!
//! Access patterns:
//! - create app: 1 TransactWriteItems (app + its keys, each `attribute_not_exists(pk)`).
//! - get app: 1 GetItem `APP#<app>`.
//! - list apps: Query gsi1 `APPS` (scheduled jobs; every page).
//! - update app: 1 PutItem on condition the `rev` attribute is unchanged (compare-and-set).
//! - get API key: 1 GetItem `KEY#<hash>` (the auth path; hosts cache hits, see `KeyCache`).
//! - add key: 1 conditional PutItem.
//! - lock/unlock by key id: 1 Query (per page) on gsi1 `APPKEYS#<app>` begins_with `<keyId>#`, then one
//!   conditional PutItem per match (admin path, not hot).

use super::{DynamoStore, Item, build_error, from_json, get_s, key, s, sdk_error, to_json};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use ferrokey_core::StoreError;
use ferrokey_core::model::{ApiKeyRecord, App};
use ferrokey_core::ports::{AppStore, StoreResult};

fn key_item(record: &ApiKeyRecord) -> StoreResult<Item> {
    let mut item = key(format!("KEY#{}", record.key_hash), "K");
    item.insert("record".into(), s(to_json(record)?));
    item.insert("gsi1pk".into(), s(format!("APPKEYS#{}", record.app_id)));
    item.insert("gsi1sk".into(), s(format!("{}#{}", record.key_id, record.key_hash)));
    Ok(item)
}

/// An app item; on gsi1 under `APPS` so jobs can list apps.
fn app_item(app: &App) -> StoreResult<Item> {
    let mut item = key(format!("APP#{}", app.app_id), "A");
    item.insert("record".into(), s(to_json(app)?));
    item.insert("gsi1pk".into(), s("APPS"));
    item.insert("gsi1sk".into(), s(&app.app_id));
    Ok(item)
}

fn put_new(table: &str, item: Item) -> StoreResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

#[async_trait]
impl AppStore for DynamoStore {
    async fn create_app(&self, app: &App, keys: &[ApiKeyRecord]) -> StoreResult<()> {
        let mut app_item = app_item(app)?;
        if app.revision > 0 {
            app_item.insert("rev".into(), super::n(app.revision));
        }
        let mut items = vec![put_new(&self.table, app_item)?];
        for record in keys {
            items.push(put_new(&self.table, key_item(record)?)?);
        }
        self.transact(items, |_| "app").await
    }

    async fn get_app(&self, app_id: &str) -> StoreResult<Option<App>> {
        self.get_item(format!("APP#{app_id}"), "A")
            .await?
            .as_ref()
            .map(|item| from_json(get_s(item, "record")?))
            .transpose()
    }

    async fn list_apps(&self) -> StoreResult<Vec<String>> {
        self.gsi1_items("APPS".to_string(), "")
            .await?
            .iter()
            .map(|item| get_s(item, "gsi1sk").map(String::from))
            .collect()
    }

    async fn update_app(&self, app: &App) -> StoreResult<()> {
        let mut new = app.clone();
        new.revision += 1;
        let mut item = app_item(&new)?;
        item.insert("rev".into(), super::n(new.revision));
        let mut put = self.client.put_item().table_name(&self.table).set_item(Some(item));
        // Records from before revisions existed have no `rev` attribute: revision 0.
        put = if app.revision == 0 {
            put.condition_expression("attribute_exists(pk) AND attribute_not_exists(rev)")
        } else {
            put.condition_expression("rev = :old")
                .expression_attribute_values(":old", super::n(app.revision))
        };
        let result = put.send().await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::Conflict(format!("app {} changed", new.app_id)))
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn get_api_key(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        self.get_item(format!("KEY#{key_hash}"), "K")
            .await?
            .as_ref()
            .map(|item| from_json(get_s(item, "record")?))
            .transpose()
    }

    async fn add_api_key(&self, record: &ApiKeyRecord) -> StoreResult<()> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(key_item(record)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Err(StoreError::Conflict("api key".into()))
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn set_api_key_locked(
        &self,
        app_id: &str,
        key_id: &str,
        locked: bool,
    ) -> StoreResult<bool> {
        let items = self.gsi1_items(format!("APPKEYS#{app_id}"), &format!("{key_id}#")).await?;
        for item in &items {
            let old = get_s(item, "record")?;
            let mut record: ApiKeyRecord = from_json(old)?;
            record.locked = locked;
            let mut new_item = key_item(&record)?;
            new_item.insert("record".into(), s(to_json(&record)?));
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(new_item))
                .condition_expression("#r = :old")
                .expression_attribute_names("#r", "record")
                .expression_attribute_values(":old", AttributeValue::S(old.to_string()))
                .send()
                .await
                .map_err(sdk_error)?;
        }
        Ok(!items.is_empty())
    }
}
