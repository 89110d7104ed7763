//! Scheduled Lambda function (EventBridge, hourly): stores today's report snapshot of every
//! app (`ops::reports::snapshot_all`). Not an HTTP route.

#[tokio::main]
async fn main() -> Result<(), ferrokey_functions::lambda_http::Error> {
    ferrokey_functions::run_job("reports-snapshot", |service| async move {
        let stored = ferrokey_core::ops::reports::snapshot_all(&service).await?;
        Ok(serde_json::json!({ "stored": stored }))
    })
    .await
}
