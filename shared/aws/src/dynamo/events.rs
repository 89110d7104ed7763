//! The event log: one partition per app, sorted by time.
//!
//! Item: pk `EVT#<app>`, sk `<performed_at ms, 13 digits>#<id>`, `record` (JSON), `ttl`
//! (performed_at + 400 days: past the longest retention; `/events` filters by the app's own).
//! Access patterns:
//! - list a day's events (the aggregation job): Query `EVT#<app>` with `sk BETWEEN`, all pages.
//! - append: 1 BatchWriteItem per 25 events (unprocessed items retried).
//! - a ceremony's begin: 1 BatchWriteItem holding the session token and its event.
//! - a ceremony's completion: its events are Puts inside the completion's TransactWriteItems.
//! - list: Query the partition newest first from `since`, skipping `offset` items (read
//!   capacity grows with the page number).
//! - count: the same Query with `Select COUNT`, every page.
//!
//! One partition per app takes about 1,000 events a second; an app beyond that needs the
//! partition key sharded by a small suffix (DESIGN.md's scale plan).

use super::tokens::token_item;
use super::{DynamoStore, Item, build_error, from_json, get_s, key, n, s, to_json};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Put, PutRequest, TransactWriteItem, WriteRequest};
use chrono::{DateTime, Duration, Utc};
use ferrokey_core::events::Event;
use ferrokey_core::model::TokenRecord;
use ferrokey_core::ports::{EventStore, StoreResult};

/// Events outlive the longest retention an app can choose (365 days) by a margin.
const EVENT_TTL_DAYS: i64 = 400;

fn events_pk(app_id: &str) -> String {
    format!("EVT#{app_id}")
}

fn sort_key(at: DateTime<Utc>, id: &str) -> String {
    format!("{:013}#{id}", at.timestamp_millis().max(0))
}

pub(crate) fn event_item(e: &Event) -> StoreResult<Item> {
    let mut item = key(events_pk(&e.app_id), &sort_key(e.performed_at, &e.id));
    item.insert("record".into(), s(to_json(e)?));
    item.insert("ttl".into(), n((e.performed_at + Duration::days(EVENT_TTL_DAYS)).timestamp()));
    Ok(item)
}

/// A transaction part that stores an event.
pub(crate) fn put_event_item(table: &str, e: &Event) -> StoreResult<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(event_item(e)?))
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl DynamoStore {
    /// Writes items with BatchWriteItem, 25 a request, retrying unprocessed ones.
    async fn batch_put(&self, items: Vec<Item>) -> StoreResult<()> {
        let requests = items
            .into_iter()
            .map(|item| {
                let put =
                    PutRequest::builder().set_item(Some(item)).build().map_err(build_error)?;
                Ok(WriteRequest::builder().put_request(put).build())
            })
            .collect::<StoreResult<_>>()?;
        self.batch_write(requests).await
    }

    /// Runs the list/count Query from `since`, newest first.
    fn events_query(
        &self,
        app_id: &str,
        since: DateTime<Utc>,
    ) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND sk >= :since")
            .expression_attribute_values(":p", s(events_pk(app_id)))
            .expression_attribute_values(
                ":since",
                s(format!("{:013}", since.timestamp_millis().max(0))),
            )
            .scan_index_forward(false)
            .set_limit(self.page_size)
    }
}

#[async_trait]
impl EventStore for DynamoStore {
    async fn append_events(&self, events: &[Event]) -> StoreResult<()> {
        let items = events.iter().map(event_item).collect::<StoreResult<_>>()?;
        self.batch_put(items).await
    }

    async fn put_token_with_events(
        &self,
        token: &TokenRecord,
        events: &[Event],
    ) -> StoreResult<()> {
        // Token hashes are 192 random bits, so the token needs no attribute_not_exists
        // condition (which BatchWriteItem could not carry).
        let mut items = vec![token_item(token)];
        for e in events {
            items.push(event_item(e)?);
        }
        self.batch_put(items).await
    }

    async fn list_events_between(
        &self,
        app_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<Event>> {
        // Sort keys are `<ms, 13 digits>#<id>`: `[from, to)` is `sk >= from AND sk < to`.
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(events_pk(app_id)))
            .expression_attribute_values(
                ":from",
                s(format!("{:013}", from.timestamp_millis().max(0))),
            )
            // "#" sorts before every digit, so `<to - 1 ms>~` closes the range just below `to`.
            .expression_attribute_values(
                ":to",
                s(format!("{:013}~", (to.timestamp_millis() - 1).max(0))),
            );
        self.query_all(query).await?.iter().map(|item| from_json(get_s(item, "record")?)).collect()
    }

    async fn list_events(
        &self,
        app_id: &str,
        since: DateTime<Utc>,
        offset: usize,
        limit: usize,
    ) -> StoreResult<Vec<Event>> {
        let mut events = Vec::new();
        let mut skipped = 0usize;
        self.query_pages(self.events_query(app_id, since), |page| {
            for item in page.items() {
                if skipped < offset {
                    skipped += 1;
                    continue;
                }
                events.push(from_json(get_s(item, "record")?)?);
                if events.len() >= limit {
                    return Ok(false);
                }
            }
            Ok(true)
        })
        .await?;
        Ok(events)
    }

    async fn count_events(&self, app_id: &str, since: DateTime<Utc>) -> StoreResult<u64> {
        self.query_count(self.events_query(app_id, since)).await
    }

    async fn purge_events(&self, _now: DateTime<Utc>) -> StoreResult<u64> {
        Ok(0)
    }
}
