//! The outbound ports: mail (SES, or an outbox folder) and immutable objects (S3, or a
//! folder) — what Ferrokey sends out, as opposed to the stores it reads back.

use super::StoreResult;
use async_trait::async_trait;

/// One outgoing email.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
}

/// Sends email (SES on AWS, an outbox folder on one machine).
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends `mail`; returns the transport's message id.
    async fn send(&self, mail: &Mail) -> StoreResult<String>;
    /// Whether mail from `from` can go out now; a short description of the transport.
    async fn health(&self, from: &str) -> StoreResult<String>;
}

/// Stores immutable objects by key (S3 on AWS, a folder on one machine): analytics rollups and
/// billing reports. Keys are `/`-separated paths of `[A-Za-z0-9._=-]` segments.
#[async_trait]
pub trait ObjectSink: Send + Sync {
    async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> StoreResult<()>;
    async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>>;
    /// Every key starting with `prefix`, sorted.
    async fn list(&self, prefix: &str) -> StoreResult<Vec<String>>;
}

/// Object keys accepted by every sink: no empty, `.` or `..` segments, no leading `/`, only
/// `[A-Za-z0-9._=-]` in segments, at most 1024 bytes. Keeps a folder sink inside its root.
pub fn valid_object_key(key: &str) -> bool {
    key.len() <= 1024
        && !key.is_empty()
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg.bytes().all(|b| b.is_ascii_alphanumeric() || b"._=-".contains(&b))
        })
}
