//! Scheduled Lambda function (EventBridge, hourly): stores today's report snapshot of every
//! app (`ops::reports::snapshot_all`). Not an HTTP route.

use ferrokey_functions::lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    ferrokey_functions::init_logs();
    let service = ferrokey_aws::service_from_env(None).await?;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<Value>| {
        let service = service.clone();
        async move {
            let stored = ferrokey_core::ops::reports::snapshot_all(&service).await?;
            tracing::info!(stored, "report snapshots stored");
            Ok::<Value, lambda_runtime::Error>(json!({ "stored": stored }))
        }
    }))
    .await
}
