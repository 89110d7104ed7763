//! Register, session and verify tokens.
//!
//! Access patterns:
//! - put: 1 PutItem `TOKEN#<hash>` (`attribute_not_exists(pk)`).
//! - get: 1 GetItem (consistent); the `app_id` attribute binds it to its app.
//! - take: 1 DeleteItem with `app_id = :app`, ReturnValues ALL_OLD: atomic, so of concurrent
//!   takers exactly one gets the item. Expiry is re-checked by the caller because TTL deletion
//!   lags by up to days.
//! - extend (admin sessions, idle expiry): 1 UpdateItem on condition `app_id = :app`.
//! - purge: nothing to do; DynamoDB TTL deletes items one day after they expire (the day lets a
//!   late caller still hear "expired" instead of "invalid").

use super::{DynamoStore, Item, build_error, get_n, get_s, key, n, s, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, ReturnValue, TransactWriteItem};
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{TokenKind, TokenRecord};
use ferrokey_core::ports::{StoreResult, TokenStore};

/// Seconds past expiry before DynamoDB's TTL may delete a token.
const TTL_GRACE_SECONDS: i64 = 86_400;

pub(crate) fn token_pk(hash: &str) -> String {
    format!("TOKEN#{hash}")
}

pub(crate) fn token_item(t: &TokenRecord) -> Item {
    let mut item = key(token_pk(&t.token_hash), "T");
    item.insert("app_id".into(), s(&t.app_id));
    item.insert("kind".into(), s(t.kind.name()));
    item.insert("expires_at".into(), n(t.expires_at.timestamp_millis()));
    item.insert("payload".into(), s(&t.payload));
    item.insert("ttl".into(), n(t.expires_at.timestamp() + TTL_GRACE_SECONDS));
    item
}

pub(crate) fn token_from_item(item: &Item) -> StoreResult<TokenRecord> {
    let pk = get_s(item, "pk")?;
    let name = get_s(item, "kind")?;
    let kind = TokenKind::from_name(name)
        .ok_or_else(|| StoreError::Corrupt(format!("token kind {name}")))?;
    let ms: i64 = get_n(item, "expires_at")?;
    Ok(TokenRecord {
        token_hash: pk.trim_start_matches("TOKEN#").to_string(),
        app_id: get_s(item, "app_id")?.to_string(),
        kind,
        expires_at: DateTime::from_timestamp_millis(ms)
            .ok_or_else(|| StoreError::Corrupt(format!("expires_at {ms}")))?,
        payload: get_s(item, "payload")?.to_string(),
    })
}

/// A transaction part that stores a new token.
pub(crate) fn put_token_item(table: &str, t: &TokenRecord) -> StoreResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(token_item(t)))
        .condition_expression("attribute_not_exists(pk)")
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

#[async_trait]
impl TokenStore for DynamoStore {
    async fn put_token(&self, token: &TokenRecord) -> StoreResult<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(token_item(token)))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    async fn get_token(&self, app_id: &str, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let record = self
            .get_item(token_pk(token_hash), "T")
            .await?
            .as_ref()
            .map(token_from_item)
            .transpose()?;
        Ok(record.filter(|r| r.app_id == app_id))
    }

    async fn take_token(&self, app_id: &str, token_hash: &str) -> StoreResult<Option<TokenRecord>> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(token_pk(token_hash), "T")))
            .condition_expression("app_id = :app")
            .expression_attribute_values(":app", s(app_id))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(out) => out.attributes().map(token_from_item).transpose(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_conditional_check_failed_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(sdk_error(e)),
        }
    }

    async fn extend_token(
        &self,
        app_id: &str,
        token_hash: &str,
        payload: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(token_pk(token_hash), "T")))
            .update_expression("SET payload = :p, expires_at = :e, #ttl = :t")
            .condition_expression("app_id = :app")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":p", s(payload))
            .expression_attribute_values(":e", n(expires_at.timestamp_millis()))
            .expression_attribute_values(":t", n(expires_at.timestamp() + TTL_GRACE_SECONDS))
            .expression_attribute_values(":app", s(app_id))
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

    async fn purge_tokens(&self, _before: DateTime<Utc>) -> StoreResult<u64> {
        Ok(0)
    }
}
