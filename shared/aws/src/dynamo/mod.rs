//! The DynamoDB store: one table, string keys `pk`/`sk`, one GSI `gsi1` (`gsi1pk`/`gsi1sk`,
//! all attributes projected), TTL on the `ttl` attribute (epoch seconds).
//!
//! Item shapes (`sk` is a constant per kind, so every lookup is a GetItem on `pk`):
//!
//! | item | pk | sk | gsi1pk / gsi1sk | other attributes |
//! |---|---|---|---|---|
//! | app | `APP#<app>` | `A` | `APPS` / `<app>` | `record` (JSON), `rev` |
//! | API key | `KEY#<hash>` | `K` | `APPKEYS#<app>` / `<keyId>#<hash>` | `record` |
//! | credential | `CRED#<app>#<b64url id>` | `C` | – | `record`, `counter`, `last_used_at`, `country`, `device`, `bs`, `be` |
//! | alias | `ALIAS#<app>#<hash>` | `L` | – | `user_id`, `plaintext` |
//! | user summary | `USER#<app>#<user>` | `U` | `APPUSERS#<app>` / `<user>` | see `users` |
//! | user member | `USER#<app>#<user>` | `C#<id>`, `L#<hash>` | – | see `users` |
//! | token | `TOKEN#<hash>` | `T` | – | `app_id`, `kind`, `expires_at` (ms), `payload`, `ttl` |
//! | counter | `COUNT#<app>#<name>` | `N` | – | `value`, `ttl` (none on `users-with-passkeys`, which never expires) |
//! | auth configuration | `CFG#<app>` | purpose | – | `record`, `last_used` |
//! | event | `EVT#<app>` | `<ms>#<id>` | – | `record`, `ttl` |
//! | daily report | `REPORT#<app>` | `yyyy-mm-dd` | – | `record` |
//! | deleted app (tombstone) | `GONE#<app>` | `G` | – | `deleted_at` |
//! | admin | `ADMIN#<id>` | `A` | `ORGADMINS#<org>` / `<email>` | `record` |
//! | admin email (uniqueness) | `ADMINEMAIL#<email>` | `E` | – | `admin_id` |
//! | organization's admin count | `ORG#<org>` | `O` | – | `admins` |
//!
//! A credential's fields that change at sign-in are attributes of their own, so a sign-in
//! updates them with one conditional UpdateItem (no read-modify-write) and reads overlay them
//! on the JSON record. Request counts per operation are documented at each method.

mod admins;
mod apps;
mod auth_configs;
mod ceremonies;
mod counters;
mod credentials;
mod erase;
mod events;
mod partition;
mod reports;
mod table;
mod tokens;
mod users;

pub use table::create_table;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, WriteRequest};
use ferrokey_core::StoreError;
use std::collections::HashMap;

pub(crate) type Item = HashMap<String, AttributeValue>;

/// The DynamoDB store. Cloning shares the client.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// Items per Query page; `None` lets DynamoDB page at 1 MB.
    page_size: Option<i32>,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        DynamoStore { client, table: table.into(), page_size: None }
    }

    /// Caps Query pages (tests use a tiny page to exercise paging).
    pub fn with_page_size(mut self, page_size: i32) -> Self {
        self.page_size = Some(page_size);
        self
    }

    /// A store on the standard AWS configuration.
    pub async fn from_env(table: impl Into<String>) -> Self {
        DynamoStore::new(Client::new(&crate::load_config().await), table)
    }

    /// One consistent GetItem.
    pub(crate) async fn get_item(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(out.item)
    }

    /// Runs a transaction; on a failed condition, `conflict(index)` names the conflict.
    ///
    /// A transaction that collides with another one on the same item (DynamoDB cancels it with
    /// `TransactionConflict`; two sign-ins of one user touch its summary) is retried with a
    /// short backoff a few times, then reported as unavailable (503, retry later).
    pub(crate) async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
        conflict: impl Fn(usize) -> &'static str,
    ) -> Result<(), StoreError> {
        for attempt in 0..TRANSACT_ATTEMPTS {
            let sent = self
                .client
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let Err(e) = sent else { return Ok(()) };
            let reasons = cancellation_codes(&e);
            if let Some(index) = reasons.iter().position(|c| c == "ConditionalCheckFailed") {
                return Err(StoreError::Conflict(conflict(index).into()));
            }
            if reasons.iter().any(|c| c == "TransactionConflict") && attempt + 1 < TRANSACT_ATTEMPTS
            {
                tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                continue;
            }
            if reasons.iter().any(|c| c == "TransactionConflict") {
                return Err(StoreError::Unavailable(
                    "dynamodb transaction kept conflicting with concurrent writes".into(),
                ));
            }
            return Err(sdk_error(e));
        }
        Err(StoreError::Unavailable("dynamodb transaction not attempted".into()))
    }

    /// Runs `query` page by page (DynamoDB pages at 1 MB, or at `page_size` in tests), handing
    /// each page to `visit` until it answers `false` or the pages end.
    pub(crate) async fn query_pages(
        &self,
        query: QueryFluentBuilder,
        mut visit: impl FnMut(&QueryOutput) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        let mut start = None;
        loop {
            let out = query
                .clone()
                .set_exclusive_start_key(start)
                .set_limit(self.page_size)
                .send()
                .await
                .map_err(sdk_error)?;
            if !visit(&out)? {
                return Ok(());
            }
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(()),
            }
        }
    }

    /// Every item `query` finds, all pages.
    pub(crate) async fn query_all(
        &self,
        query: QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        self.query_pages(query, |page| {
            items.extend(page.items().iter().cloned());
            Ok(true)
        })
        .await?;
        Ok(items)
    }

    /// How many items `query` (with `Select COUNT`) counts, all pages.
    pub(crate) async fn query_count(&self, query: QueryFluentBuilder) -> Result<u64, StoreError> {
        let mut count = 0u64;
        self.query_pages(query.select(aws_sdk_dynamodb::types::Select::Count), |page| {
            count += u64::try_from(page.count()).unwrap_or_default();
            Ok(true)
        })
        .await?;
        Ok(count)
    }

    /// Runs write requests with BatchWriteItem, 25 a request, retrying unprocessed ones with a
    /// short backoff.
    pub(crate) async fn batch_write(&self, requests: Vec<WriteRequest>) -> Result<(), StoreError> {
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            for attempt in 0..5u32 {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, std::mem::take(&mut pending))
                    .send()
                    .await
                    .map_err(sdk_error)?;
                pending = out
                    .unprocessed_items()
                    .and_then(|u| u.get(&self.table))
                    .cloned()
                    .unwrap_or_default();
            }
            if !pending.is_empty() {
                return Err(StoreError::Unavailable("dynamodb kept writes unprocessed".into()));
            }
        }
        Ok(())
    }

    /// Deletes items by key with [`Self::batch_write`].
    pub(crate) async fn batch_delete(&self, keys: Vec<Item>) -> Result<(), StoreError> {
        let requests = keys
            .into_iter()
            .map(|k| {
                let delete = aws_sdk_dynamodb::types::DeleteRequest::builder()
                    .set_key(Some(k))
                    .build()
                    .map_err(build_error)?;
                Ok(WriteRequest::builder().delete_request(delete).build())
            })
            .collect::<Result<_, StoreError>>()?;
        self.batch_write(requests).await
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }
}

/// Maps an SDK failure (see [`crate::classify`]): throttling and server errors may be retried.
pub(crate) fn sdk_error<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    crate::classify(
        "dynamodb",
        e,
        &[
            "Throttl",
            "LimitExceeded",
            "ProvisionedThroughput",
            "InternalServer",
            "ServiceUnavailable",
        ],
    )
}

pub(crate) fn build_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("dynamodb request: {e}"))
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub(crate) fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_string(), s(pk)), ("sk".to_string(), s(sk))])
}

pub(crate) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, StoreError> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| StoreError::Corrupt(format!("item lacks string attribute {name}")))
}

pub(crate) fn get_n<T: std::str::FromStr>(item: &Item, name: &str) -> Result<T, StoreError> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("item lacks number attribute {name}")))
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// How often [`DynamoStore::transact`] tries a transaction that keeps conflicting.
const TRANSACT_ATTEMPTS: u32 = 4;

/// The cancellation reason code of each item of a cancelled TransactWriteItems, by index
/// (`"None"` for items that were fine); empty for any other failure.
pub(crate) fn cancellation_codes(
    e: &SdkError<
        aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError,
        impl std::fmt::Debug,
    >,
) -> Vec<String> {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match e.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => c
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None").to_string())
            .collect(),
        _ => vec![],
    }
}
