//! AWS adapters: the DynamoDB implementation of every store port, the SES mailer and the S3
//! object sink. SDK clients come from the
//! standard AWS configuration (`AWS_ENDPOINT_URL`, `AWS_REGION`, the credentials chain), so the
//! same code runs against AWS and against moto in tests.

pub mod dynamo;
mod host;
mod s3;
mod ses;

pub use dynamo::{DynamoStore, create_table};
pub use host::{KEY_CACHE_ENV, PEPPER_ENV, TABLE_ENV, service_from_env};
pub use s3::S3Sink;
pub use ses::SesMailer;

/// Loads the standard AWS configuration (env, profile, instance role) once per cold start.
pub async fn load_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
