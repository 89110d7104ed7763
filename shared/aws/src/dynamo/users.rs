//! Users. Each user has a partition `USER#<app>#<user>` in the base table, so everything about
//! one user is read with one consistent Query (no index lag) and removed in one transaction:
//!
//! | item | sk | attributes |
//! |---|---|---|
//! | summary | `U` | `user_id`, `creds` (N), `alias_plain` (L of S or NULL), `last_used_at` (N, ms), `gsi1pk` = `APPUSERS#<app>`, `gsi1sk` = user id |
//! | credential member | `C#<b64url id>` | `created` (N, ms); the credential is `CRED#<app>#<id>` |
//! | alias member | `L#<hash>` | `plaintext` when unhashed (the alias is `ALIAS#<app>#<hash>`) |
//!
//! Access patterns:
//! - set aliases: 1 Query (`L#` members) + 1 TransactWriteItems (per dropped alias: delete the
//!   alias and its member; per alias: conditional put of the alias and its member; the summary).
//! - list aliases: 1 Query (`L#` members).
//! - delete credential: 1 GetItem + 1 TransactWriteItems (credential, member, summary count).
//! - list users: Query gsi1 `APPUSERS#<app>`, pages until `limit` users (eventually consistent).
//! - count users: Query gsi1 `APPUSERS#<app>` with `Select COUNT` and `creds > 0`, every page:
//!   read capacity grows with the app's users.
//! - delete user: 1 Query of the partition + 1 TransactWriteItems deleting every member, what
//!   it points to and the summary, on condition the summary's count is still what was read
//!   (retried a few times if a registration slipped in between).

use super::credentials::{alias_item, alias_pk, cred_from_item, cred_pk};
use super::{DynamoStore, Item, build_error, get_s, key, n, s, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, Select, TransactWriteItem, Update};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{AliasRecord, StoredCredential};
use ferrokey_core::ports::{
    CONFLICT_ALIAS, MAX_CREDENTIALS_PER_USER, StoreResult, UserStore, UserSummary,
};
use std::collections::HashMap;

pub(crate) const CRED_MEMBER: &str = "C#";
pub(crate) const ALIAS_MEMBER: &str = "L#";
const SUMMARY: &str = "U";

pub(crate) fn user_pk(app_id: &str, user_id: &str) -> String {
    format!("USER#{app_id}#{user_id}")
}

fn member_key(app_id: &str, user_id: &str, sk: String) -> Item {
    key(user_pk(app_id, user_id), &sk)
}

pub(crate) fn cred_member_sk(credential_id: &[u8]) -> String {
    format!("{CRED_MEMBER}{}", URL_SAFE_NO_PAD.encode(credential_id))
}

/// What a write changes in a user's summary.
#[derive(Debug, Default)]
pub(crate) struct SummaryChange<'a> {
    /// Added to the credential count (0 still creates the count on a new summary).
    pub credentials: i64,
    pub aliases: Option<&'a [AliasRecord]>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Refuse (a failed condition) when the user already holds the most credentials allowed.
    pub check_capacity: bool,
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
    if change.check_capacity {
        update = update
            .condition_expression("attribute_not_exists(creds) OR creds < :max")
            .expression_attribute_values(":max", n(MAX_CREDENTIALS_PER_USER));
    }
    let update = update
        .update_expression(format!("SET {} ADD creds :d", set.join(", ")))
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

fn delete(table: &str, item_key: Item, owner: Option<&str>) -> StoreResult<TransactWriteItem> {
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

fn summary_from_item(item: &Item) -> StoreResult<UserSummary> {
    let credentials = item
        .get("creds")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or_default();
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
        let mut items = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":p", s(user_pk(app_id, user_id)));
            // DynamoDB refuses an empty begins_with operand: no prefix means the whole partition.
            query = if prefix.is_empty() {
                query.key_condition_expression("pk = :p")
            } else {
                query
                    .key_condition_expression("pk = :p AND begins_with(sk, :k)")
                    .expression_attribute_values(":k", s(prefix))
            };
            let out = query
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .set_limit(self.page_size)
                .send()
                .await
                .map_err(sdk_error)?;
            items.extend(out.items().iter().cloned());
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(items),
            }
        }
    }
}

/// Tries left when a user's partition changes between read and delete.
const DELETE_USER_ATTEMPTS: usize = 3;

#[async_trait]
impl UserStore for DynamoStore {
    async fn set_aliases(
        &self,
        app_id: &str,
        user_id: &str,
        aliases: &[AliasRecord],
    ) -> StoreResult<()> {
        let current = self.partition_items(app_id, user_id, ALIAS_MEMBER).await?;
        if current.is_empty() && aliases.is_empty() {
            return Ok(());
        }
        let mut items = alias_writes(&self.table, app_id, user_id, &current, aliases)?;
        let alias_parts = items.len();
        let change = SummaryChange { aliases: Some(aliases), ..Default::default() };
        items.push(summary_update(&self.table, app_id, user_id, change)?);
        self.transact(items, |i| if i < alias_parts { CONFLICT_ALIAS } else { "summary" }).await
    }

    async fn list_aliases(&self, app_id: &str, user_id: &str) -> StoreResult<Vec<AliasRecord>> {
        self.partition_items(app_id, user_id, ALIAS_MEMBER)
            .await?
            .iter()
            .map(|item| {
                Ok(AliasRecord {
                    alias_hash: get_s(item, "sk")?[ALIAS_MEMBER.len()..].to_string(),
                    plaintext: item.get("plaintext").and_then(|v| v.as_s().ok()).cloned(),
                })
            })
            .collect()
    }

    async fn delete_credential(
        &self,
        app_id: &str,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredCredential>> {
        let Some(item) = self.get_item(cred_pk(app_id, credential_id), "C").await? else {
            return Ok(None);
        };
        let cred = cred_from_item(&item)?;
        let gone = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(cred_pk(app_id, credential_id), "C")))
            .condition_expression("attribute_exists(pk)")
            .build()
            .map_err(build_error)?;
        let items = vec![
            TransactWriteItem::builder().delete(gone).build(),
            delete(
                &self.table,
                member_key(app_id, &cred.user_id, cred_member_sk(credential_id)),
                None,
            )?,
            summary_update(
                &self.table,
                app_id,
                &cred.user_id,
                SummaryChange { credentials: -1, ..Default::default() },
            )?,
        ];
        match self.transact(items, |_| "gone").await {
            Ok(()) => Ok(Some(cred)),
            // Deleted by a concurrent call between our read and our delete.
            Err(StoreError::Conflict(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn list_users(&self, app_id: &str, limit: usize) -> StoreResult<Vec<UserSummary>> {
        let mut users = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :p")
                .expression_attribute_values(":p", s(format!("APPUSERS#{app_id}")))
                .set_exclusive_start_key(start)
                .set_limit(self.page_size)
                .send()
                .await
                .map_err(sdk_error)?;
            for item in out.items() {
                let user = summary_from_item(item)?;
                // A summary outlives its user's last credential and alias; skip it then.
                if user.credentials > 0 || !user.aliases.is_empty() {
                    users.push(user);
                }
                if users.len() >= limit {
                    return Ok(users);
                }
            }
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(users),
            }
        }
    }

    async fn count_users(&self, app_id: &str) -> StoreResult<u64> {
        let mut count = 0u64;
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .index_name("gsi1")
                .key_condition_expression("gsi1pk = :p")
                .filter_expression("creds > :zero")
                .expression_attribute_values(":p", s(format!("APPUSERS#{app_id}")))
                .expression_attribute_values(":zero", n(0))
                .select(Select::Count)
                .set_exclusive_start_key(start)
                .set_limit(self.page_size)
                .send()
                .await
                .map_err(sdk_error)?;
            count += u64::try_from(out.count()).unwrap_or_default();
            match out.last_evaluated_key() {
                Some(k) if !k.is_empty() => start = Some(k.clone()),
                _ => return Ok(count),
            }
        }
    }

    async fn delete_user(&self, app_id: &str, user_id: &str) -> StoreResult<u64> {
        for _ in 0..DELETE_USER_ATTEMPTS {
            let members = self.partition_items(app_id, user_id, "").await?;
            if members.is_empty() {
                return Ok(0);
            }
            let mut items = Vec::new();
            let mut credentials = 0u64;
            for member in &members {
                let sk = get_s(member, "sk")?;
                if let Some(id) = sk.strip_prefix(CRED_MEMBER) {
                    credentials += 1;
                    items.push(delete(&self.table, key(format!("CRED#{app_id}#{id}"), "C"), None)?);
                } else if let Some(hash) = sk.strip_prefix(ALIAS_MEMBER) {
                    items.push(delete(
                        &self.table,
                        key(alias_pk(app_id, hash), "L"),
                        Some(user_id),
                    )?);
                } else {
                    continue; // the summary, deleted last on its condition
                }
                items.push(delete(&self.table, member_key(app_id, user_id, sk.to_string()), None)?);
            }
            let summary = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(user_pk(app_id, user_id), SUMMARY)))
                .condition_expression("attribute_not_exists(pk) OR creds = :n")
                .expression_attribute_values(":n", n(credentials))
                .build()
                .map_err(build_error)?;
            items.push(TransactWriteItem::builder().delete(summary).build());
            match self.transact(items, |_| "changed").await {
                Ok(()) => return Ok(credentials),
                Err(StoreError::Conflict(_)) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Unavailable(format!(
            "user {user_id} kept changing while being deleted; retry"
        )))
    }
}
