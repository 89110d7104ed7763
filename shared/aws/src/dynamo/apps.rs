//! Apps and API keys.
//!
//! Access patterns:
//! - create app: 1 TransactWriteItems (app + its keys, each `attribute_not_exists(pk)`).
//! - get app: 1 GetItem `APP#<app>`.
//! - list apps: Query gsi1 `APPS` (scheduled jobs; every page).
//! - update app: 1 PutItem on condition the `rev` attribute is unchanged (compare-and-set).
//! - get API key: 1 GetItem `KEY#<hash>` (the auth path; hosts cache hits, see `KeyCache`).
//! - add key: 1 conditional PutItem.
//! - list keys: Query gsi1 `APPKEYS#<app>`; delete a key: that Query, then a DeleteItem on
//!   condition the record is the locked one read.
//! - list an organization's apps: Query gsi1 `APPS` filtered on `org` (admin path; reads every
//!   app item, fine for thousands of apps).
//! - lock/unlock by key id: 1 Query (per page) on gsi1 `APPKEYS#<app>` begins_with `<keyId>#`, then one
//!   conditional PutItem per match (admin path, not hot).

use super::{DynamoStore, Item, build_error, from_json, get_s, key, s, sdk_error, to_json};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{ApiKeyRecord, App};
use ferrokey_core::ports::KeyDeletion;
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
    if let Some(org) = &app.org {
        item.insert("org".into(), s(org));
    }
    Ok(item)
}

pub(crate) fn tombstone_pk(app_id: &str) -> String {
    format!("GONE#{app_id}")
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
        // A deleted app's id is never reused (see `AppStore::delete_app`).
        let gone = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(key(tombstone_pk(&app.app_id), "G")))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        let mut items = vec![
            put_new(&self.table, app_item)?,
            TransactWriteItem::builder().condition_check(gone).build(),
        ];
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
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let items = self.gsi1_items(format!("APPKEYS#{app_id}"), &format!("{key_id}#")).await?;
        for item in &items {
            let old = get_s(item, "record")?;
            let mut record: ApiKeyRecord = from_json(old)?;
            record.locked = locked;
            if locked {
                record.last_locked_at = Some(at);
            } else {
                record.last_unlocked_at = Some(at);
            }
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

    async fn list_api_keys(&self, app_id: &str) -> StoreResult<Vec<ApiKeyRecord>> {
        self.gsi1_items(format!("APPKEYS#{app_id}"), "")
            .await?
            .iter()
            .map(|item| from_json(get_s(item, "record")?))
            .collect()
    }

    async fn delete_api_key(&self, app_id: &str, key_id: &str) -> StoreResult<KeyDeletion> {
        let items = self.gsi1_items(format!("APPKEYS#{app_id}"), &format!("{key_id}#")).await?;
        if items.is_empty() {
            return Ok(KeyDeletion::NotFound);
        }
        let mut outcome = KeyDeletion::Deleted;
        for item in &items {
            let old = get_s(item, "record")?;
            let record: ApiKeyRecord = from_json(old)?;
            if !record.locked {
                outcome = KeyDeletion::NotLocked;
                continue;
            }
            // Deleted only if the record is still the locked one read above: an unlock that
            // slipped in between makes the condition fail and the key stays.
            let result = self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key(format!("KEY#{}", record.key_hash), "K")))
                .condition_expression("#r = :old")
                .expression_attribute_names("#r", "record")
                .expression_attribute_values(":old", AttributeValue::S(old.to_string()))
                .send()
                .await;
            match result {
                Ok(_) => {}
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
                {
                    outcome = KeyDeletion::NotLocked;
                }
                Err(e) => return Err(sdk_error(e)),
            }
        }
        Ok(outcome)
    }

    async fn list_org_apps(&self, org: &str) -> StoreResult<Vec<App>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :p")
            .filter_expression("org = :o")
            .expression_attribute_values(":p", s("APPS"))
            .expression_attribute_values(":o", s(org));
        self.query_all(query).await?.iter().map(|item| from_json(get_s(item, "record")?)).collect()
    }

    async fn delete_app(&self, app_id: &str) -> StoreResult<bool> {
        self.erase_app(app_id).await
    }

    async fn app_id_taken(&self, app_id: &str) -> StoreResult<bool> {
        if self.get_item(format!("APP#{app_id}"), "A").await?.is_some() {
            return Ok(true);
        }
        Ok(self.get_item(tombstone_pk(app_id), "G").await?.is_some())
    }
}
