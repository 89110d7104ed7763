//! AWS adapters: the DynamoDB implementation of every store port. SDK clients come from the
//! standard AWS configuration (`AWS_ENDPOINT_URL`, `AWS_REGION`, the credentials chain), so the
//! same code runs against AWS and against moto in tests.

pub mod dynamo;
mod host;

pub use dynamo::{DynamoStore, create_table};
pub use host::{KEY_CACHE_ENV, PEPPER_ENV, TABLE_ENV, service_from_env};

/// Loads the standard AWS configuration (env, profile, instance role) once per cold start.
pub async fn load_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}
