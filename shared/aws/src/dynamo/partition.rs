//! A user's partition `USER#<app>#<user>` in the base table: everything about one user is
//! read with one consistent Query (no index lag) and removed in one transaction.
//!
//! | item | sk | attributes |
//! |---|---|---|
//! | summary | `U` | `user_id`, `creds` (N), `alias_plain` (L of S or NULL), `last_used_at` (N, ms), `gsi1pk` = `APPUSERS#<app>`, `gsi1sk` = user id |
//! | credential member | `C#<b64url id>` | `created` (N, ms); the credential is `CRED#<app>#<id>` |
//! | alias member | `L#<hash>` | `plaintext` when unhashed (the alias is `ALIAS#<app>#<hash>`) |
//!
//! The app's users with passkeys are counted in the counter item
//! `COUNT#<app>#users-with-passkeys` (sk `N`, `value`, no `ttl`): it is the number of summaries
//! with `creds` ≥ 1. Every transaction that moves a summary's `creds` between 0 and ≥ 1 carries
//! a summary condition that pins which side it is on ([`Held`]) and the counter's `ADD ±1`, so
//! the count is exact under concurrent writes and reading it is one GetItem.
//!
//! This module builds those items and the transaction parts that change them; `users` holds
//! the operations.

use super::counters::counter_pk;
use super::credentials::{alias_item, alias_pk};
use super::{DynamoStore, Item, build_error, get_s, key, n, s};
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{AliasRecord, StoredCredential};
use ferrokey_core::ports::{MAX_CREDENTIALS_PER_USER, StoreResult, UserSummary};

pub(crate) const CRED_MEMBER: &str = "C#";
pub(crate) const ALIAS_MEMBER: &str = "L#";
pub(crate) const SUMMARY: &str = "U";

pub(crate) fn user_pk(app_id: &str, user_id: &str) -> String {
    format!("USER#{app_id}#{user_id}")
}

pub(crate) fn member_key(app_id: &str, user_id: &str, sk: String) -> Item {
    key(user_pk(app_id, user_id), &sk)
}

pub(crate) fn cred_member_sk(credential_id: &[u8]) -> String {
    format!("{CRED_MEMBER}{}", URL_SAFE_NO_PAD.encode(credential_id))
}

/// The counter (in the counters' item shape) of the app's users with at least one credential.
pub(crate) const USERS_COUNTER: &str = "users-with-passkeys";

/// What a write expects the summary's credential count to be; the write fails its condition
/// otherwise. It tells whether the write moves the user across 0 ↔ ≥ 1, that is whether the
/// app's [`USERS_COUNTER`] must move with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    /// No credential (no summary, no count, or 0): a registration is the user's first.
    Nothing,
    /// At least one, and room for one more: a registration that is not the user's first.
    SomeWithRoom,
    /// Exactly one: deleting a credential leaves the user without passkeys.
    One,
    /// Anything but one: deleting a credential does not change whether the user has passkeys.
    NotOne,
}

impl Held {
    /// The summary update's condition and the values it names.
    fn condition(self) -> (&'static str, Vec<(&'static str, AttributeValue)>) {
        match self {
            Held::Nothing => {
                ("attribute_not_exists(creds) OR creds = :zero", vec![(":zero", n(0))])
            }
            Held::SomeWithRoom => (
                "creds >= :one AND creds < :max",
                vec![(":one", n(1)), (":max", n(MAX_CREDENTIALS_PER_USER))],
            ),
            Held::One => ("creds = :one", vec![(":one", n(1))]),
            Held::NotOne => ("attribute_not_exists(creds) OR creds <> :one", vec![(":one", n(1))]),
        }
    }
}

/// What a write changes in a user's summary.
#[derive(Debug, Default)]
pub(crate) struct SummaryChange<'a> {
    /// Added to the credential count (0 still creates the count on a new summary).
    pub credentials: i64,
    pub aliases: Option<&'a [AliasRecord]>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Refuse (a failed condition) unless the count is as expected. Registration's
    /// [`Held::Nothing`] and [`Held::SomeWithRoom`] together are the capacity check.
    pub expect: Option<Held>,
}

/// A transaction part that creates or updates a user's summary.
pub(crate) fn summary_update(
    table: &str,
    app_id: &str,
    user_id: &str,
    change: SummaryChange<'_>,
) -> StoreResult<TransactWriteItem> {
    let mut set = vec!["user_id = :u", "gsi1pk = :gp", "gsi1sk = :u"];
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key(user_pk(app_id, user_id), SUMMARY)))
        .expression_attribute_values(":u", s(user_id))
        .expression_attribute_values(":gp", s(format!("APPUSERS#{app_id}")))
        .expression_attribute_values(":d", n(change.credentials));
    if let Some(at) = change.last_used_at {
        set.push("last_used_at = :t");
        update = update.expression_attribute_values(":t", n(at.timestamp_millis()));
    }
    if let Some(aliases) = change.aliases {
        set.push("alias_plain = :al");
        let list = aliases
            .iter()
            .map(|a| match &a.plaintext {
                Some(p) => s(p),
                None => AttributeValue::Null(true),
            })
            .collect();
        update = update.expression_attribute_values(":al", AttributeValue::L(list));
    }
    if let Some(expect) = change.expect {
        let (condition, values) = expect.condition();
        update = update.condition_expression(condition);
        for (name, value) in values {
            update = update.expression_attribute_values(name, value);
        }
    }
    let update = update
        .update_expression(format!("SET {} ADD creds :d", set.join(", ")))
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

/// A transaction part that moves the app's [`USERS_COUNTER`] by `delta` (±1), in the same
/// transaction as the summary change that crosses 0 ↔ ≥ 1. No `ttl`: the counter lives as long
/// as the app (the app's erase removes it).
pub(crate) fn users_counter_add(
    table: &str,
    app_id: &str,
    delta: i64,
) -> StoreResult<TransactWriteItem> {
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(key(counter_pk(app_id, USERS_COUNTER), "N")))
        // `value` is a DynamoDB reserved word.
        .update_expression("ADD #v :d")
        .expression_attribute_names("#v", "value")
        .expression_attribute_values(":d", n(delta))
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

pub(crate) fn delete(
    table: &str,
    item_key: Item,
    owner: Option<&str>,
) -> StoreResult<TransactWriteItem> {
    let mut delete = Delete::builder().table_name(table).set_key(Some(item_key));
    if let Some(user_id) = owner {
        delete = delete
            .condition_expression("attribute_not_exists(pk) OR user_id = :user")
            .expression_attribute_values(":user", s(user_id));
    }
    Ok(TransactWriteItem::builder().delete(delete.build().map_err(build_error)?).build())
}

fn put(table: &str, item: Item, owner: Option<&str>) -> StoreResult<TransactWriteItem> {
    let mut put = Put::builder().table_name(table).set_item(Some(item));
    if let Some(user_id) = owner {
        put = put
            .condition_expression("attribute_not_exists(pk) OR user_id = :user")
            .expression_attribute_values(":user", s(user_id));
    }
    Ok(TransactWriteItem::builder().put(put.build().map_err(build_error)?).build())
}

/// Transaction parts that replace a user's aliases: `current` are the user's `L#` members.
/// Every part that can fail its condition is an alias owned by another user.
pub(crate) fn alias_writes(
    table: &str,
    app_id: &str,
    user_id: &str,
    current: &[Item],
    aliases: &[AliasRecord],
) -> StoreResult<Vec<TransactWriteItem>> {
    let mut items = Vec::new();
    for member in current {
        let sk = get_s(member, "sk")?;
        let hash = &sk[ALIAS_MEMBER.len()..];
        if aliases.iter().any(|a| a.alias_hash == hash) {
            continue;
        }
        items.push(delete(table, key(alias_pk(app_id, hash), "L"), Some(user_id))?);
        items.push(delete(table, member_key(app_id, user_id, sk.to_string()), None)?);
    }
    for alias in aliases {
        items.push(put(table, alias_item(app_id, user_id, alias), Some(user_id))?);
        let mut member = member_key(app_id, user_id, format!("{ALIAS_MEMBER}{}", alias.alias_hash));
        if let Some(plaintext) = &alias.plaintext {
            member.insert("plaintext".into(), s(plaintext));
        }
        items.push(put(table, member, None)?);
    }
    Ok(items)
}

/// A transaction part that records a new credential in its user's partition, with its creation
/// time (ms) so ids list oldest first.
pub(crate) fn cred_member_put(
    table: &str,
    cred: &StoredCredential,
) -> StoreResult<TransactWriteItem> {
    let mut member = member_key(&cred.app_id, &cred.user_id, cred_member_sk(&cred.credential_id));
    member.insert("created".into(), n(cred.created_at.timestamp_millis()));
    put(table, member, None)
}

/// A summary's credential count; 0 when it has none.
fn creds_of(item: &Item) -> i64 {
    item.get("creds")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or_default()
}

pub(crate) fn summary_from_item(item: &Item) -> StoreResult<UserSummary> {
    let credentials = creds_of(item);
    let aliases = match item.get("alias_plain") {
        Some(AttributeValue::L(list)) => {
            list.iter().map(|v| v.as_s().ok().cloned()).collect::<Vec<_>>()
        }
        _ => vec![],
    };
    let last_used_at = match item.get("last_used_at").and_then(|v| v.as_n().ok()) {
        Some(ms) => {
            let ms: i64 = ms.parse().map_err(|_| StoreError::Corrupt(format!("last_used {ms}")))?;
            DateTime::from_timestamp_millis(ms)
        }
        None => None,
    };
    Ok(UserSummary {
        user_id: get_s(item, "user_id")?.to_string(),
        aliases,
        credentials: u64::try_from(credentials).unwrap_or_default(),
        last_used_at: if credentials > 0 { last_used_at } else { None },
    })
}

impl DynamoStore {
    /// The items of a user's partition whose sort key starts with `prefix`, every page,
    /// consistently.
    pub(crate) async fn partition_items(
        &self,
        app_id: &str,
        user_id: &str,
        prefix: &str,
    ) -> StoreResult<Vec<Item>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .expression_attribute_values(":p", s(user_pk(app_id, user_id)))
            .consistent_read(true);
        // DynamoDB refuses an empty begins_with operand: no prefix means the whole partition.
        let query = if prefix.is_empty() {
            query.key_condition_expression("pk = :p")
        } else {
            query
                .key_condition_expression("pk = :p AND begins_with(sk, :k)")
                .expression_attribute_values(":k", s(prefix))
        };
        self.query_all(query).await
    }

    /// The user's alias members and credential count, with one consistent Query: the alias
    /// members (`L#…`) and the summary (`U`) are adjacent in the partition's sort order.
    pub(crate) async fn aliases_and_held(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> StoreResult<(Vec<Item>, u64)> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :p AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":p", s(user_pk(app_id, user_id)))
            .expression_attribute_values(":from", s(ALIAS_MEMBER))
            .expression_attribute_values(":to", s(SUMMARY))
            .consistent_read(true);
        let mut aliases = Vec::new();
        let mut held = 0;
        for item in self.query_all(query).await? {
            let sk = get_s(&item, "sk")?;
            if sk == SUMMARY {
                held = u64::try_from(creds_of(&item)).unwrap_or_default();
            } else if sk.starts_with(ALIAS_MEMBER) {
                aliases.push(item);
            }
        }
        Ok((aliases, held))
    }

    /// The user's credential count from the summary: 1 consistent GetItem.
    pub(crate) async fn held_credentials(&self, app_id: &str, user_id: &str) -> StoreResult<u64> {
        let summary = self.get_item(user_pk(app_id, user_id), SUMMARY).await?;
        Ok(summary.map(|s| u64::try_from(creds_of(&s)).unwrap_or_default()).unwrap_or_default())
    }
}
