//! The S3 object sink: PutObject / GetObject / ListObjectsV2 (all pages) in one bucket.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use ferrokey_core::StoreError;
use ferrokey_core::ports::{ObjectSink, StoreResult, valid_object_key};

#[derive(Debug, Clone)]
pub struct S3Sink {
    client: Client,
    bucket: String,
    page_size: i32,
}

impl S3Sink {
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        S3Sink { client, bucket: bucket.into(), page_size: 1000 }
    }

    /// A sink on the standard AWS configuration. A custom endpoint (`AWS_ENDPOINT_URL`, e.g.
    /// moto or MinIO) gets path-style addressing, which such servers need.
    pub async fn from_env(bucket: impl Into<String>) -> Self {
        let config = crate::load_config().await;
        let custom_endpoint = std::env::var("AWS_ENDPOINT_URL").is_ok();
        let s3 =
            aws_sdk_s3::config::Builder::from(&config).force_path_style(custom_endpoint).build();
        S3Sink::new(Client::from_conf(s3), bucket)
    }

    /// Keys per ListObjectsV2 page (tests use a small one to exercise paging).
    pub fn with_page_size(mut self, page_size: i32) -> Self {
        self.page_size = page_size;
        self
    }
}

fn s3_error<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    crate::classify("s3", e, &["SlowDown", "InternalError", "ServiceUnavailable"])
}

fn check(key: &str) -> StoreResult<()> {
    if valid_object_key(key) {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!("invalid object key {key:?}")))
    }
}

#[async_trait]
impl ObjectSink for S3Sink {
    async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> StoreResult<()> {
        check(key)?;
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        check(key)?;
        let out = match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(s3_error(e)),
        };
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| StoreError::Unavailable(format!("s3 body: {e}")))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    async fn list(&self, prefix: &str) -> StoreResult<Vec<String>> {
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = self
                .client
                .list_objects_v2()
                .bucket(&self.bucket)
                .prefix(prefix)
                .max_keys(self.page_size)
                .set_continuation_token(token)
                .send()
                .await
                .map_err(s3_error)?;
            keys.extend(out.contents().iter().filter_map(|o| o.key().map(String::from)));
            match out.next_continuation_token() {
                Some(next) if out.is_truncated().unwrap_or(false) => token = Some(next.to_string()),
                _ => break,
            }
        }
        keys.sort();
        Ok(keys)
    }
}
