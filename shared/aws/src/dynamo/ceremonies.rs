//! The two ceremony completions, each one read and one transaction.
//!
//! Access patterns:
//! - load sign-in: 1 BatchGetItem of the session `TOKEN#<hash>` and `CRED#<app>#<id>`.
//! - commit sign-in: 1 TransactWriteItems: delete the session (`app_id = :app AND kind =
//!   session`), update the credential's sign-in attributes (`counter = :expected`), put the
//!   verify token. A failed condition names what failed (session gone → replay; counter moved
//!   → a concurrent sign-in).
//! - commit registration: 1 TransactWriteItems (delete session, put credential
//!   `attribute_not_exists(pk)`, put verify token), plus, when the registration replaces
//!   aliases, 1 Query for the user's current aliases first and, in the transaction, a
//!   conditional delete of each dropped alias and a put of each new one
//!   (`attribute_not_exists(pk) OR user_id = :user`).

use super::credentials::{alias_item, alias_pk, cred_from_item, cred_item, cred_pk};
use super::tokens::{put_token_item, token_from_item, token_pk};
use super::{DynamoStore, build_error, failed_conditions, get_s, key, n, s, sdk_error};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use ferrokey_core::StoreError;
use ferrokey_core::model::{StoredCredential, TokenRecord};
use ferrokey_core::ports::{
    CONFLICT_ALIAS, CONFLICT_COUNTER, CONFLICT_CREDENTIAL, CONFLICT_SESSION, CeremonyStore,
    RegistrationCommit, SigninCommit, StoreResult,
};

fn consume_session(
    table: &str,
    app_id: &str,
    session_hash: &str,
) -> StoreResult<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key(token_pk(session_hash), "T")))
        .condition_expression("app_id = :app AND kind = :kind")
        .expression_attribute_values(":app", s(app_id))
        .expression_attribute_values(":kind", s("session"))
        .build()
        .map_err(build_error)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

impl DynamoStore {
    /// Runs a transaction; on a failed condition, `conflict(index)` names the conflict.
    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
        conflict: impl Fn(usize) -> &'static str,
    ) -> StoreResult<()> {
        match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(()),
            Err(e) => match failed_conditions(&e) {
                Some(failed) => match failed.iter().position(|f| *f) {
                    Some(index) => Err(StoreError::Conflict(conflict(index).into())),
                    None => Err(sdk_error(e)),
                },
                None => Err(sdk_error(e)),
            },
        }
    }
}

#[async_trait]
impl CeremonyStore for DynamoStore {
    async fn load_signin(
        &self,
        app_id: &str,
        session_hash: &str,
        credential_id: &[u8],
    ) -> StoreResult<(Option<TokenRecord>, Option<StoredCredential>)> {
        let (token_key, cred_key) = (token_pk(session_hash), cred_pk(app_id, credential_id));
        let found =
            self.batch_get(vec![key(token_key.clone(), "T"), key(cred_key.clone(), "C")]).await?;
        let session =
            found.get(&token_key).map(token_from_item).transpose()?.filter(|t| t.app_id == app_id);
        let credential = found.get(&cred_key).map(cred_from_item).transpose()?;
        Ok((session, credential))
    }

    async fn commit_signin(&self, c: &SigninCommit) -> StoreResult<()> {
        let change = &c.change;
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(cred_pk(&c.app_id, &c.credential_id), "C")))
            .condition_expression("#c = :expected")
            .update_expression(
                "SET #c = :new, last_used_at = :used, country = :country, device = :device, bs = :bs, be = :be",
            )
            .expression_attribute_names("#c", "counter")
            .expression_attribute_values(":expected", n(change.expected_counter))
            .expression_attribute_values(":new", n(change.new_counter))
            .expression_attribute_values(":used", n(change.last_used_at.timestamp_millis()))
            .expression_attribute_values(":country", s(&change.country))
            .expression_attribute_values(":device", s(&change.device))
            .expression_attribute_values(":bs", AttributeValue::Bool(change.backup_state))
            .expression_attribute_values(":be", AttributeValue::Bool(change.backup_eligible))
            .build()
            .map_err(build_error)?;
        let items = vec![
            consume_session(&self.table, &c.app_id, &c.session_hash)?,
            TransactWriteItem::builder().update(update).build(),
            put_token_item(&self.table, &c.verify_token)?,
        ];
        self.transact(items, |i| if i == 0 { CONFLICT_SESSION } else { CONFLICT_COUNTER }).await
    }

    async fn commit_registration(&self, c: &RegistrationCommit) -> StoreResult<()> {
        let cred = &c.credential;
        let (app_id, user_id) = (&cred.app_id, &cred.user_id);
        let put_cred = Put::builder()
            .table_name(&self.table)
            .set_item(Some(cred_item(cred)?))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(build_error)?;
        let mut items = vec![
            consume_session(&self.table, app_id, &c.session_hash)?,
            TransactWriteItem::builder().put(put_cred).build(),
            put_token_item(&self.table, &c.verify_token)?,
        ];
        if let Some(aliases) = &c.aliases {
            let current = self.user_items(app_id, user_id, "ALIAS#").await?;
            for item in &current {
                let pk = get_s(item, "pk")?;
                if aliases.iter().any(|a| alias_pk(app_id, &a.alias_hash) == pk) {
                    continue;
                }
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(pk.to_string(), "L")))
                    .condition_expression("attribute_not_exists(pk) OR user_id = :user")
                    .expression_attribute_values(":user", s(user_id))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().delete(delete).build());
            }
            for alias in aliases {
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(alias_item(app_id, user_id, alias)))
                    .condition_expression("attribute_not_exists(pk) OR user_id = :user")
                    .expression_attribute_values(":user", s(user_id))
                    .build()
                    .map_err(build_error)?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
        }
        self.transact(items, |i| match i {
            0 => CONFLICT_SESSION,
            1 => CONFLICT_CREDENTIAL,
            2 => CONFLICT_SESSION,
            _ => CONFLICT_ALIAS,
        })
        .await
    }
}
