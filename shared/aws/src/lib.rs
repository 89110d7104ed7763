//! AWS adapters: the DynamoDB implementation of every store port, the SES mailer and the S3
//! object sink. SDK clients come from the
//! standard AWS configuration (`AWS_ENDPOINT_URL`, `AWS_REGION`, the credentials chain), so the
//! same code runs against AWS and against moto in tests.

pub mod dynamo;
mod host;
mod s3;
mod ses;

pub use dynamo::{DynamoStore, create_table};
pub use host::{BUCKET_ENV, KEY_CACHE_ENV, PEPPER_ENV, TABLE_ENV, service_from_env};
pub use s3::S3Sink;
pub use ses::SesMailer;

use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use ferrokey_core::StoreError;

/// Maps an SDK failure of `service`: network trouble, and service error codes containing one of
/// `retryable`, are `Unavailable` (the caller may retry later); any other service error is a
/// request that will not succeed as sent, reported as `Corrupt` (a bug or bad data, 500).
pub(crate) fn classify<E, R>(service: &str, e: SdkError<E, R>, retryable: &[&str]) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &e {
        SdkError::ServiceError(se) => {
            let code = se.err().code().unwrap_or_default();
            let message = match code {
                // Undecodable: log what came back (bounded), so the cause can be found.
                "" => format!(
                    "{service}: undecodable error answer: {:.300}",
                    format!("{:?}", se.raw())
                ),
                _ => format!("{service} {code}: {}", se.err().message().unwrap_or_default()),
            };
            // An error answer without a code is one the SDK could not decode (a proxy's or the
            // service's own 5xx page, a cut-off body): the store answered badly, and a retry
            // may well succeed. Seen from moto under concurrent transactions.
            if code.is_empty() || retryable.iter().any(|r| code.contains(r)) {
                StoreError::Unavailable(message)
            } else {
                StoreError::Corrupt(message)
            }
        }
        SdkError::ConstructionFailure(_) => StoreError::Corrupt(format!("{service}: {e:?}")),
        _ => StoreError::Unavailable(format!("{service}: {e:?}")),
    }
}

/// Loads the standard AWS configuration (env, profile, instance role) once per cold start,
/// with [`timeouts`].
pub async fn load_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts())
        .load()
        .await
}

/// Bounds on every AWS call. Without them a stalled connection would hold a request until the
/// Lambda itself times out; with them the caller gets a 503 with Retry-After in time. The
/// operation bound (retries included) stays under the functions' 10 s timeout.
pub fn timeouts() -> aws_smithy_types::timeout::TimeoutConfig {
    use std::time::Duration;
    aws_smithy_types::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(2))
        .operation_attempt_timeout(Duration::from_secs(3))
        .operation_timeout(Duration::from_secs(8))
        .build()
}
