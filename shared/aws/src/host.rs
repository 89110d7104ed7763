//! Builds a [`Service`] on DynamoDB from the environment, once per cold start (Lambda) or per
//! process (`ferrokey serve --store dynamodb`).
//!
//! - `FERROKEY_TABLE`: the table (required).
//! - `FERROKEY_PEPPER`: the API-key hashing pepper (required; every host of one deployment must
//!   share it, so it cannot be generated here).
//! - `FERROKEY_KEY_CACHE_SECONDS`: how long a warm host trusts a valid API key (default 30).
//! - `FERROKEY_MAIL_FROM`: the SES sender identity of magic links (no mail without it).
//! - `FERROKEY_BUCKET`: the S3 bucket of rollups and billing files (jobs refuse without it).
//! - `FERROKEY_PUBLIC_URL`, `FERROKEY_MANAGEMENT_KEY` and the admin session lifetimes (see
//!   `ferrokey_core::service::AdminSettings::from_env`).
//! - The AWS SDK's own variables (`AWS_REGION`, `AWS_ENDPOINT_URL`, credentials chain).

use crate::{DynamoStore, SesMailer};
use ferrokey_core::clock::SystemClock;
use ferrokey_core::keys::KeyHasher;
use ferrokey_core::service::AdminSettings;
use ferrokey_core::{Service, StoreError};
use std::sync::Arc;
use std::time::Duration;

pub const TABLE_ENV: &str = "FERROKEY_TABLE";
pub const PEPPER_ENV: &str = "FERROKEY_PEPPER";
pub const KEY_CACHE_ENV: &str = "FERROKEY_KEY_CACHE_SECONDS";
pub const MAIL_FROM_ENV: &str = "FERROKEY_MAIL_FROM";
pub const BUCKET_ENV: &str = "FERROKEY_BUCKET";
const DEFAULT_KEY_CACHE_SECONDS: u64 = 30;

fn required(name: &str) -> Result<String, StoreError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| StoreError::Unavailable(format!("{name} is not set")))
}

/// The service on `table` (or `$FERROKEY_TABLE`).
pub async fn service_from_env(table: Option<String>) -> Result<Service, StoreError> {
    let table = match table {
        Some(t) => t,
        None => required(TABLE_ENV)?,
    };
    let pepper = required(PEPPER_ENV)?;
    let cache = std::env::var(KEY_CACHE_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_KEY_CACHE_SECONDS);
    let config = crate::load_config().await;
    let store = DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), table);
    let mut service =
        Service::new(Arc::new(store), Arc::new(SystemClock), KeyHasher::new(pepper.into_bytes()))
            .with_key_cache(Duration::from_secs(cache))
            .with_admin(AdminSettings::from_env("http://localhost:8787"));
    // Without a sender there is no mail: magic links answer 503 until one is configured.
    if let Ok(from) = required(MAIL_FROM_ENV) {
        let ses = SesMailer::new(aws_sdk_sesv2::Client::new(&config));
        service = service.with_mailer(Arc::new(ses), from);
    }
    if let Ok(bucket) = required(BUCKET_ENV) {
        let s3 = crate::S3Sink::new(aws_sdk_s3::Client::new(&config), bucket);
        service = service.with_objects(Arc::new(s3));
    }
    Ok(service)
}
