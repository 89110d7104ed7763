//! Scheduled Lambda function (EventBridge, daily): deletes every app whose scheduled deletion
//! fell due, with all its data (`ops::admin::deletion::delete_due`). Not an HTTP route.

use ferrokey_functions::lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    ferrokey_functions::init_logs();
    let service = ferrokey_aws::service_from_env(None).await?;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| {
        let service = service.clone();
        async move {
            let deleted = ferrokey_core::ops::admin::deletion::delete_due(&service).await?;
            tracing::info!(deleted, "due app deletions carried out");
            Ok::<Value, lambda_runtime::Error>(json!({ "deleted": deleted }))
        }
    }))
    .await
}
