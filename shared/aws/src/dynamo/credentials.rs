//! Credentials and aliases.
//!
//! Access patterns:
//! - get credential: 1 GetItem `CRED#<app>#<id>` (consistent).
//! - list a user's credentials: 1 Query of the user's partition `USER#<app>#<user>` for its
//!   `C#` members (consistent), then 1 BatchGetItem of those credentials (consistent, ≤ 100
//!   keys a request): a passkey registered a moment ago is always listed.
//! - alias owners: 1 BatchGetItem of `ALIAS#<app>#<hash>` (≤ 10 keys, consistent).
//!
//! Credential and alias items carry no gsi1 attributes: a sign-in's counter update then writes
//! no index entry.

use super::{DynamoStore, Item, from_json, get_n, get_s, key, n, s, sdk_error, to_json};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::DateTime;
use ferrokey_core::StoreError;
use ferrokey_core::model::{AliasRecord, StoredCredential};
use ferrokey_core::ports::{AliasOwner, CredentialStore, StoreResult};
use std::collections::HashMap;

pub(crate) fn cred_pk(app_id: &str, credential_id: &[u8]) -> String {
    format!("CRED#{app_id}#{}", URL_SAFE_NO_PAD.encode(credential_id))
}

pub(crate) fn alias_pk(app_id: &str, alias_hash: &str) -> String {
    format!("ALIAS#{app_id}#{alias_hash}")
}

/// A new credential item. The fields a sign-in changes are attributes of their own.
pub(crate) fn cred_item(cred: &StoredCredential) -> StoreResult<Item> {
    let mut item = key(cred_pk(&cred.app_id, &cred.credential_id), "C");
    item.insert("record".into(), s(to_json(cred)?));
    item.insert("counter".into(), n(cred.signature_counter));
    item.insert("last_used_at".into(), n(cred.last_used_at.timestamp_millis()));
    item.insert("country".into(), s(&cred.country));
    item.insert("device".into(), s(&cred.device));
    item.insert("bs".into(), AttributeValue::Bool(cred.backup_state));
    item.insert("be".into(), AttributeValue::Bool(cred.backup_eligible));
    Ok(item)
}

/// Reads a credential item: the JSON record with the sign-in attributes laid over it.
pub(crate) fn cred_from_item(item: &Item) -> StoreResult<StoredCredential> {
    let mut cred: StoredCredential = from_json(get_s(item, "record")?)?;
    cred.signature_counter = get_n(item, "counter")?;
    let ms: i64 = get_n(item, "last_used_at")?;
    cred.last_used_at = DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("last_used_at {ms}")))?;
    cred.country = get_s(item, "country")?.to_string();
    cred.device = get_s(item, "device")?.to_string();
    let flag = |name: &str| item.get(name).and_then(|v| v.as_bool().ok()).copied().unwrap_or(false);
    cred.backup_state = flag("bs");
    cred.backup_eligible = flag("be");
    Ok(cred)
}

pub(crate) fn alias_item(app_id: &str, user_id: &str, alias: &AliasRecord) -> Item {
    let mut item = key(alias_pk(app_id, &alias.alias_hash), "L");
    item.insert("user_id".into(), s(user_id));
    if let Some(plaintext) = &alias.plaintext {
        item.insert("plaintext".into(), s(plaintext));
    }
    item
}

impl DynamoStore {
    /// Items on gsi1 under `partition` whose sort key starts with `prefix`, following every page.
    pub(crate) async fn gsi1_items(
        &self,
        partition: String,
        prefix: &str,
    ) -> StoreResult<Vec<Item>> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .expression_attribute_values(":p", s(partition));
        // DynamoDB refuses an empty begins_with operand: no prefix means all of it.
        let query = if prefix.is_empty() {
            query.key_condition_expression("gsi1pk = :p")
        } else {
            query
                .key_condition_expression("gsi1pk = :p AND begins_with(gsi1sk, :k)")
                .expression_attribute_values(":k", s(prefix))
        };
        self.query_all(query).await
    }

    /// Consistent BatchGetItem of `keys` (100 a request), retrying unprocessed keys; returns
    /// items by `pk`.
    pub(crate) async fn batch_get(&self, keys: Vec<Item>) -> StoreResult<HashMap<String, Item>> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(100) {
            self.batch_get_chunk(chunk.to_vec(), &mut found).await?;
        }
        Ok(found)
    }

    async fn batch_get_chunk(
        &self,
        keys: Vec<Item>,
        found: &mut HashMap<String, Item>,
    ) -> StoreResult<()> {
        let mut pending = keys;
        for _ in 0..5 {
            if pending.is_empty() {
                break;
            }
            let request = KeysAndAttributes::builder()
                .set_keys(Some(std::mem::take(&mut pending)))
                .consistent_read(true)
                .build()
                .map_err(super::build_error)?;
            let out = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(sdk_error)?;
            for item in out.responses().and_then(|r| r.get(&self.table)).into_iter().flatten() {
                found.insert(get_s(item, "pk")?.to_string(), item.clone());
            }
            if let Some(left) = out.unprocessed_keys().and_then(|u| u.get(&self.table)) {
                pending = left.keys().to_vec();
            }
        }
        if !pending.is_empty() {
            return Err(StoreError::Unavailable("dynamodb kept keys unprocessed".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl CredentialStore for DynamoStore {
    async fn get_credential(
        &self,
        app_id: &str,
        credential_id: &[u8],
    ) -> StoreResult<Option<StoredCredential>> {
        self.get_item(cred_pk(app_id, credential_id), "C")
            .await?
            .as_ref()
            .map(cred_from_item)
            .transpose()
    }

    async fn list_credential_ids(&self, app_id: &str, user_id: &str) -> StoreResult<Vec<Vec<u8>>> {
        let members = self.partition_items(app_id, user_id, super::partition::CRED_MEMBER).await?;
        let mut ids: Vec<(i64, Vec<u8>)> = members
            .iter()
            .map(|m| {
                let sk = get_s(m, "sk")?;
                let id = URL_SAFE_NO_PAD
                    .decode(&sk[super::partition::CRED_MEMBER.len()..])
                    .map_err(|e| StoreError::Corrupt(format!("member {sk}: {e}")))?;
                let created =
                    m.get("created").and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok());
                Ok((created.unwrap_or_default(), id))
            })
            .collect::<StoreResult<_>>()?;
        ids.sort();
        Ok(ids.into_iter().map(|(_, id)| id).collect())
    }

    async fn list_credentials(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> StoreResult<Vec<StoredCredential>> {
        let members = self.partition_items(app_id, user_id, super::partition::CRED_MEMBER).await?;
        let keys: Vec<(String, Item)> = members
            .iter()
            .map(|m| {
                let sk = get_s(m, "sk")?;
                let pk = format!("CRED#{app_id}#{}", &sk[super::partition::CRED_MEMBER.len()..]);
                Ok((pk.clone(), key(pk, "C")))
            })
            .collect::<StoreResult<_>>()?;
        let found = self.batch_get(keys.iter().map(|(_, k)| k.clone()).collect()).await?;
        let mut credentials: Vec<StoredCredential> = keys
            .iter()
            .filter_map(|(pk, _)| found.get(pk))
            .map(cred_from_item)
            .collect::<StoreResult<_>>()?;
        credentials.sort_by(|a, b| {
            (a.created_at, &a.credential_id).cmp(&(b.created_at, &b.credential_id))
        });
        Ok(credentials)
    }

    async fn alias_owners(
        &self,
        app_id: &str,
        alias_hashes: &[String],
    ) -> StoreResult<Vec<AliasOwner>> {
        if alias_hashes.is_empty() {
            return Ok(vec![]);
        }
        let mut unique: Vec<&String> = alias_hashes.iter().collect();
        unique.sort();
        unique.dedup();
        let keys = unique.iter().map(|h| key(alias_pk(app_id, h), "L")).collect();
        let found = self.batch_get(keys).await?;
        unique
            .into_iter()
            .filter_map(|hash| found.get(&alias_pk(app_id, hash)).map(|item| (hash, item)))
            .map(|(hash, item)| {
                Ok(AliasOwner {
                    alias_hash: hash.clone(),
                    user_id: get_s(item, "user_id")?.to_string(),
                })
            })
            .collect()
    }
}
