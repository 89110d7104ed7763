//! The two ceremony completions, each one read and one transaction.
//!
//! Access patterns:
//! - load sign-in: 1 BatchGetItem of the session `TOKEN#<hash>` and `CRED#<app>#<id>`.
//! - commit sign-in: 1 TransactWriteItems: delete the session (`app_id = :app AND kind =
//!   session`), update the credential's sign-in attributes (`counter = :expected`), put the
//!   verify token, set the user summary's last use. A failed condition names what failed
//!   (session gone → replay; counter moved → a concurrent sign-in).
//! - commit registration: 1 TransactWriteItems (delete session, put credential
//!   `attribute_not_exists(pk)`, put verify token, put the user's credential member, count it
//!   in the user summary on a condition that says whether it is the user's first, and for a
//!   first one `ADD value 1` on the app's `users-with-passkeys` counter), plus, when the
//!   registration replaces aliases, 1 consistent Query for the user's alias members and
//!   summary first and, in the transaction, the alias writes of `users::alias_writes`.
//!   With aliases the Query tells whether the credential is the user's first. Without, the
//!   transaction assumes it is (the common case: most users register one passkey); a user's
//!   later passkey fails that condition and costs 1 more TransactWriteItems (`creds >= 1 AND
//!   creds < MAX_CREDENTIALS_PER_USER`). If that fails too, 1 GetItem of the summary tells a
//!   full user (`CONFLICT_USER_FULL`) from a concurrent change (tried again, a few times).

use super::credentials::{cred_from_item, cred_item, cred_pk};
use super::events::put_event_item;
use super::partition::{
    Held, SummaryChange, alias_writes, cred_member_put, summary_update, users_counter_add,
};
use super::tokens::{put_token_item, token_from_item, token_pk};
use super::{DynamoStore, build_error, key, n, s};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use ferrokey_core::StoreError;
use ferrokey_core::model::{StoredCredential, TokenRecord};
use ferrokey_core::ports::{
    CONFLICT_ALIAS, CONFLICT_COUNTER, CONFLICT_CREDENTIAL, CONFLICT_SESSION, CONFLICT_USER_FULL,
    CeremonyStore, MAX_CREDENTIALS_PER_USER, RegistrationCommit, SigninCommit, StoreResult,
};

/// Registration transactions sent before giving up on a user whose credential count keeps
/// changing under it (each lost race costs one).
const REGISTER_ATTEMPTS: usize = 4;

/// Index of the summary update in a registration's transaction (see `registration_items`).
const SUMMARY_INDEX: usize = 4;

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
        let mut items = vec![
            consume_session(&self.table, &c.app_id, &c.session_hash)?,
            TransactWriteItem::builder().update(update).build(),
            put_token_item(&self.table, &c.verify_token)?,
            summary_update(
                &self.table,
                &c.app_id,
                &c.user_id,
                SummaryChange { last_used_at: Some(change.last_used_at), ..Default::default() },
            )?,
        ];
        for e in &c.events {
            items.push(put_event_item(&self.table, e)?);
        }
        self.transact(items, |i| if i == 0 { CONFLICT_SESSION } else { CONFLICT_COUNTER }).await
    }

    async fn commit_registration(&self, c: &RegistrationCommit) -> StoreResult<()> {
        let (app_id, user_id) = (&c.credential.app_id, &c.credential.user_id);
        // What to assume when nothing was read: most registrations are the user's first.
        let mut guess = Held::Nothing;
        for _ in 0..REGISTER_ATTEMPTS {
            // Replacing aliases needs the user's alias members, and the same Query reads the
            // summary's count, so then nothing is guessed.
            let (current, read) = match &c.aliases {
                Some(_) => {
                    let (members, held) = self.aliases_and_held(app_id, user_id).await?;
                    (members, Some(held))
                }
                None => (vec![], None),
            };
            let expect = match read {
                Some(0) => Held::Nothing,
                Some(_) => Held::SomeWithRoom,
                None => guess,
            };
            let items = self.registration_items(c, &current, expect)?;
            // Events have no condition, nor has the counter, so any failure past the summary
            // is an alias write.
            let sent = self
                .transact(items, |i| match i {
                    0 | 2 => CONFLICT_SESSION,
                    1 | 3 => CONFLICT_CREDENTIAL,
                    SUMMARY_INDEX => CONFLICT_USER_FULL,
                    _ => CONFLICT_ALIAS,
                })
                .await;
            match sent {
                Err(StoreError::Conflict(what)) if what == CONFLICT_USER_FULL => {}
                other => return other,
            }
            // The summary's count was not what `expect` says: a wrong guess, a concurrent
            // registration or deletion of the user's, or a full user.
            let held = match (read, expect) {
                (Some(held), _) => held,
                // Not the first after all (or full: the next try tells).
                (None, Held::Nothing) => {
                    guess = Held::SomeWithRoom;
                    continue;
                }
                (None, _) => self.held_credentials(app_id, user_id).await?,
            };
            if held >= MAX_CREDENTIALS_PER_USER as u64 {
                return Err(StoreError::Conflict(CONFLICT_USER_FULL.into()));
            }
            guess = if held == 0 { Held::Nothing } else { Held::SomeWithRoom };
        }
        Err(StoreError::Unavailable(format!(
            "user {user_id}'s credentials kept changing during registration; retry"
        )))
    }
}

impl DynamoStore {
    /// A registration's transaction, expecting the user's count to be `expect` (the summary is
    /// at [`SUMMARY_INDEX`]); `current` are the user's alias members when aliases are replaced.
    fn registration_items(
        &self,
        c: &RegistrationCommit,
        current: &[super::Item],
        expect: Held,
    ) -> StoreResult<Vec<TransactWriteItem>> {
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
            cred_member_put(&self.table, cred)?,
            summary_update(
                &self.table,
                app_id,
                user_id,
                SummaryChange {
                    credentials: 1,
                    aliases: c.aliases.as_deref(),
                    last_used_at: Some(cred.last_used_at),
                    expect: Some(expect),
                },
            )?,
        ];
        if expect == Held::Nothing {
            // The user's first credential: one more user with passkeys, in the same
            // transaction as the summary's 0 → 1, so concurrent registrations count once.
            items.push(users_counter_add(&self.table, app_id, 1)?);
        }
        for e in &c.events {
            items.push(put_event_item(&self.table, e)?);
        }
        if let Some(aliases) = &c.aliases {
            items.extend(alias_writes(&self.table, app_id, user_id, current, aliases)?);
        }
        Ok(items)
    }
}
