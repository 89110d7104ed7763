//! Scheduled Lambda function (EventBridge, every 5 minutes): rolls every app's due days of
//! events up into S3 (`ops::analytics::aggregate`). Not an HTTP route.

#[tokio::main]
async fn main() -> Result<(), ferrokey_functions::lambda_http::Error> {
    ferrokey_functions::run_job("analytics-aggregate", |service| async move {
        let summary = ferrokey_core::ops::analytics::aggregate::run(&service, None).await?;
        Ok(serde_json::to_value(summary).unwrap_or_default())
    })
    .await
}
