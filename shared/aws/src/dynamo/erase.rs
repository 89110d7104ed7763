//! Deleting an app and everything stored for it.
//!
//! Access pattern (admin path, rare): 1 GetItem (the app), 1 PutItem (the tombstone `GONE#<app>`
//! first, so the id can never be created again, even if this is interrupted), then a Query per
//! index partition or base partition of the app (keys on gsi1 `APPKEYS#<app>`, users on gsi1
//! `APPUSERS#<app>`, `CFG#<app>`, `EVT#<app>`, `REPORT#<app>`) and BatchWriteItem deletes of
//! 25 items, one user-deletion transaction per user, 1 DeleteItem of the app's
//! `users-with-passkeys` counter (after the users, whose deletions move it; it has no TTL),
//! and finally the app item itself: until that last step the app still exists, so an
//! interrupted deletion is finished by running it again.
//!
//! Not found here: tokens (`TOKEN#<hash>` has no per-app index, to keep the auth path at one
//! write per token) and rate-limit counters. Both expire by TTL, and neither can be redeemed:
//! the app's keys are gone and its id is never reused.

use super::apps::tombstone_pk;
use super::counters::counter_pk;
use super::partition::USERS_COUNTER;
use super::{DynamoStore, Item, get_s, key, n, s, sdk_error};
use ferrokey_core::ports::{StoreResult, UserStore};

impl DynamoStore {
    pub(crate) async fn erase_app(&self, app_id: &str) -> StoreResult<bool> {
        if self.get_item(format!("APP#{app_id}"), "A").await?.is_none() {
            return Ok(false);
        }
        let mut tombstone = key(tombstone_pk(app_id), "G");
        tombstone.insert("deleted_at".into(), n(chrono::Utc::now().timestamp_millis()));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(tombstone))
            .send()
            .await
            .map_err(sdk_error)?;

        let keys = self.gsi1_items(format!("APPKEYS#{app_id}"), "").await?;
        let key_items = keys
            .iter()
            .map(|item| Ok(key(get_s(item, "pk")?.to_string(), "K")))
            .collect::<StoreResult<Vec<Item>>>()?;
        self.batch_delete(key_items).await?;

        for summary in self.gsi1_items(format!("APPUSERS#{app_id}"), "").await? {
            self.delete_user(app_id, get_s(&summary, "gsi1sk")?).await?;
        }
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(counter_pk(app_id, USERS_COUNTER), "N")))
            .send()
            .await
            .map_err(sdk_error)?;

        for pk in [format!("CFG#{app_id}"), format!("EVT#{app_id}"), format!("REPORT#{app_id}")] {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :p")
                .expression_attribute_values(":p", s(&pk))
                .projection_expression("pk, sk");
            let items = self.query_all(query).await?;
            let keys = items
                .iter()
                .map(|item| Ok(key(get_s(item, "pk")?.to_string(), get_s(item, "sk")?)))
                .collect::<StoreResult<Vec<Item>>>()?;
            self.batch_delete(keys).await?;
        }

        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("APP#{app_id}"), "A")))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(true)
    }
}
