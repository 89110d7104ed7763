//! Console administrators.
//!
//! Access patterns (admin path, not hot):
//! - add: 1 TransactWriteItems: the admin `ADMIN#<id>` and its email `ADMINEMAIL#<email>`, each
//!   `attribute_not_exists(pk)`, plus ADD 1 to the organization's count `ORG#<org>` and to the
//!   service-wide count `ORG#*`.
//! - get by id: 1 GetItem; by email: 2 GetItems (email item, then the admin).
//! - list an organization's admins: Query gsi1 `ORGADMINS#<org>`.
//! - any admins at all: 1 GetItem of the `ORG#*` count.
//! - remove: 1 GetItem, then 1 TransactWriteItems deleting the admin and its email item and
//!   subtracting 1 from both counts on condition the organization keeps one: of two admins
//!   removing each other at once, one wins and the other hears "last admin".

use super::{DynamoStore, Item, build_error, from_json, get_n, get_s, key, n, s, to_json};
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use ferrokey_core::StoreError;
use ferrokey_core::model::Admin;
use ferrokey_core::ports::{AdminRemoval, AdminStore, StoreResult};

/// The count item of all admins.
const ALL: &str = "ORG#*";

fn admin_pk(id: &str) -> String {
    format!("ADMIN#{id}")
}

fn email_pk(email: &str) -> String {
    format!("ADMINEMAIL#{email}")
}

fn org_pk(org: &str) -> String {
    format!("ORG#{org}")
}

fn count_change(
    table: &str,
    pk: String,
    by: i64,
    keep_one: bool,
) -> StoreResult<TransactWriteItem> {
    let mut update = Update::builder()
        .table_name(table)
        .set_key(Some(key(pk, "O")))
        .update_expression("ADD admins :d")
        .expression_attribute_values(":d", n(by));
    if keep_one {
        update =
            update.condition_expression("admins > :one").expression_attribute_values(":one", n(1));
    }
    Ok(TransactWriteItem::builder().update(update.build().map_err(build_error)?).build())
}

fn admin_from(item: &Item) -> StoreResult<Admin> {
    from_json(get_s(item, "record")?)
}

#[async_trait]
impl AdminStore for DynamoStore {
    async fn add_admin(&self, admin: &Admin) -> StoreResult<()> {
        let mut record = key(admin_pk(&admin.id), "A");
        record.insert("record".into(), s(to_json(admin)?));
        record.insert("gsi1pk".into(), s(format!("ORGADMINS#{}", admin.org)));
        record.insert("gsi1sk".into(), s(&admin.email));
        let mut email = key(email_pk(&admin.email), "E");
        email.insert("admin_id".into(), s(&admin.id));
        let put = |item: Item| -> StoreResult<TransactWriteItem> {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(build_error)?;
            Ok(TransactWriteItem::builder().put(put).build())
        };
        let items = vec![
            put(record)?,
            put(email)?,
            count_change(&self.table, org_pk(&admin.org), 1, false)?,
            count_change(&self.table, ALL.to_string(), 1, false)?,
        ];
        self.transact(items, |_| "admin").await
    }

    async fn get_admin(&self, admin_id: &str) -> StoreResult<Option<Admin>> {
        self.get_item(admin_pk(admin_id), "A").await?.as_ref().map(admin_from).transpose()
    }

    async fn find_admin(&self, email: &str) -> StoreResult<Option<Admin>> {
        let Some(item) = self.get_item(email_pk(email), "E").await? else {
            return Ok(None);
        };
        self.get_admin(get_s(&item, "admin_id")?).await
    }

    async fn list_admins(&self, org: &str) -> StoreResult<Vec<Admin>> {
        self.gsi1_items(format!("ORGADMINS#{org}"), "").await?.iter().map(admin_from).collect()
    }

    async fn has_admins(&self) -> StoreResult<bool> {
        let Some(item) = self.get_item(ALL.to_string(), "O").await? else {
            return Ok(false);
        };
        Ok(get_n::<i64>(&item, "admins")? > 0)
    }

    async fn remove_admin(&self, org: &str, admin_id: &str) -> StoreResult<AdminRemoval> {
        let Some(admin) = self.get_admin(admin_id).await? else {
            return Ok(AdminRemoval::NotFound);
        };
        if admin.org != org {
            return Ok(AdminRemoval::NotFound);
        }
        let delete = |pk: String, sk: &str| -> StoreResult<TransactWriteItem> {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .condition_expression("attribute_exists(pk)")
                .build()
                .map_err(build_error)?;
            Ok(TransactWriteItem::builder().delete(delete).build())
        };
        let items = vec![
            delete(admin_pk(admin_id), "A")?,
            delete(email_pk(&admin.email), "E")?,
            count_change(&self.table, org_pk(org), -1, true)?,
            count_change(&self.table, ALL.to_string(), -1, false)?,
        ];
        match self.transact(items, |i| if i == 2 { "last" } else { "gone" }).await {
            Ok(()) => Ok(AdminRemoval::Removed),
            Err(StoreError::Conflict(reason)) if reason == "last" => Ok(AdminRemoval::LastAdmin),
            Err(StoreError::Conflict(_)) => Ok(AdminRemoval::NotFound),
            Err(e) => Err(e),
        }
    }
}
