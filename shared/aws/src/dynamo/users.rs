//! Users: the `UserStore` operations on each user's partition (see `partition`).
//!
//! Access patterns:
//! - set aliases: 1 Query (`L#` members) + 1 TransactWriteItems (per dropped alias: delete the
//!   alias and its member; per alias: conditional put of the alias and its member; the summary).
//! - list aliases: 1 Query (`L#` members).
//! - delete credential: 1 GetItem + 1 TransactWriteItems (credential, member, summary count).
//!   The transaction assumes the user keeps another credential (`creds <> 1`); deleting a
//!   user's last one fails that and costs 1 more TransactWriteItems (`creds = 1`, with the
//!   app's `users-with-passkeys` counter's `ADD value -1`).
//! - list users: Query gsi1 `APPUSERS#<app>`, pages until `limit` users (eventually consistent).
//! - count users: 1 consistent GetItem of the counter `COUNT#<app>#users-with-passkeys` (see
//!   `partition`), whatever the app's size.
//! - user stats (the report job): the list-users Query over every page.
//! - delete user: 1 Query of the partition + 1 TransactWriteItems deleting every member, what
//!   it points to and the summary, on condition the summary's count is still what was read
//!   (retried a few times if a registration slipped in between), and, when the user had
//!   credentials, the counter's `ADD value -1`.

use super::counters::counter_pk;
use super::credentials::{alias_pk, cred_from_item, cred_pk};
use super::partition::{
    ALIAS_MEMBER, CRED_MEMBER, Held, SUMMARY, SummaryChange, USERS_COUNTER, alias_writes,
    cred_member_sk, delete, member_key, summary_from_item, summary_update, user_pk,
    users_counter_add,
};
use super::{DynamoStore, build_error, get_s, key, n, s};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use chrono::{DateTime, Utc};
use ferrokey_core::StoreError;
use ferrokey_core::model::{AliasRecord, StoredCredential};
use ferrokey_core::ports::{CONFLICT_ALIAS, StoreResult, UserStats, UserStore, UserSummary};

/// Tries left when a user's partition changes between read and delete.
const DELETE_USER_ATTEMPTS: usize = 3;

/// Credential-deletion transactions sent before giving up on a user whose credential count
/// keeps changing under it (each lost race costs one).
const DELETE_CREDENTIAL_ATTEMPTS: usize = 4;

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
        // Most deletions leave the user another passkey; if not, the summary's condition fails
        // and the next try is the last-credential one.
        let mut expect = Held::NotOne;
        for _ in 0..DELETE_CREDENTIAL_ATTEMPTS {
            let gone = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(cred_pk(app_id, credential_id), "C")))
                .condition_expression("attribute_exists(pk)")
                .build()
                .map_err(build_error)?;
            let mut items = vec![
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
                    SummaryChange { credentials: -1, expect: Some(expect), ..Default::default() },
                )?,
            ];
            if expect == Held::One {
                // The user's last credential: one user fewer with passkeys, atomically with it.
                items.push(users_counter_add(&self.table, app_id, -1)?);
            }
            match self.transact(items, |i| if i == 0 { "gone" } else { "summary" }).await {
                Ok(()) => return Ok(Some(cred)),
                // Deleted by a concurrent call between our read and our delete.
                Err(StoreError::Conflict(what)) if what == "gone" => return Ok(None),
                // The two expectations are each other's complement: the other one holds now,
                // unless a concurrent write moves the count again.
                Err(StoreError::Conflict(_)) => {
                    expect = if expect == Held::One { Held::NotOne } else { Held::One };
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Unavailable(format!(
            "user {}'s credentials kept changing during a deletion; retry",
            cred.user_id
        )))
    }

    async fn list_users(
        &self,
        app_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<UserSummary>> {
        let mut users = Vec::new();
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .expression_attribute_values(":p", s(format!("APPUSERS#{app_id}")));
        let query = match after {
            Some(after) => query
                .key_condition_expression("gsi1pk = :p AND gsi1sk > :a")
                .expression_attribute_values(":a", s(after)),
            None => query.key_condition_expression("gsi1pk = :p"),
        };
        self.query_pages(query, |page| {
            for item in page.items() {
                let user = summary_from_item(item)?;
                // A summary outlives its user's last credential and alias; skip it then.
                if user.credentials > 0 || !user.aliases.is_empty() {
                    users.push(user);
                }
                if users.len() >= limit {
                    return Ok(false);
                }
            }
            Ok(true)
        })
        .await?;
        Ok(users)
    }

    async fn count_users(&self, app_id: &str) -> StoreResult<u64> {
        let counter = self.get_item(counter_pk(app_id, USERS_COUNTER), "N").await?;
        let value = counter
            .as_ref()
            .and_then(|item| item.get("value"))
            .and_then(|v| v.as_n().ok())
            .map(|v| v.parse::<i64>().map_err(|_| StoreError::Corrupt(format!("user count {v}"))))
            .transpose()?;
        // Absent before the app's first user with a passkey.
        Ok(value.map(|v| u64::try_from(v).unwrap_or_default()).unwrap_or_default())
    }

    async fn user_stats(
        &self,
        app_id: &str,
        day_start: DateTime<Utc>,
        week_start: DateTime<Utc>,
    ) -> StoreResult<UserStats> {
        // Every user summary of the app (the users listing's Query, all of it).
        let users = self.list_users(app_id, None, usize::MAX).await?;
        let mut stats = UserStats::default();
        for user in users.iter().filter(|u| u.credentials > 0) {
            stats.users += 1;
            stats.credentials += user.credentials;
            let used = user.last_used_at.unwrap_or_default();
            stats.active_since_day += u64::from(used >= day_start);
            stats.active_since_week += u64::from(used >= week_start);
        }
        Ok(stats)
    }

    async fn delete_user(&self, app_id: &str, user_id: &str) -> StoreResult<u64> {
        for _ in 0..DELETE_USER_ATTEMPTS {
            let members = self.partition_items(app_id, user_id, "").await?;
            if members.is_empty() {
                return Ok(0);
            }
            let mut items = Vec::new();
            let mut credentials = 0u64;
            let mut summary_read = false;
            for member in &members {
                let sk = get_s(member, "sk")?;
                summary_read |= sk == SUMMARY;
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
                .set_key(Some(key(user_pk(app_id, user_id), SUMMARY)));
            // The counter counts summaries with credentials: it moves when the one deleted
            // is such a summary, so the condition pins the summary as read, present or absent.
            let summary = if summary_read {
                summary
                    .condition_expression("creds = :n")
                    .expression_attribute_values(":n", n(credentials))
            } else {
                summary.condition_expression("attribute_not_exists(pk)")
            };
            let summary = summary.build().map_err(build_error)?;
            items.push(TransactWriteItem::builder().delete(summary).build());
            if summary_read && credentials > 0 {
                items.push(users_counter_add(&self.table, app_id, -1)?);
            }
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
