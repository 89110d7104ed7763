//! Scheduled Lambda function (EventBridge, daily): deletes every app whose scheduled deletion
//! fell due, with all its data (`ops::admin::deletion::delete_due`). Not an HTTP route.

#[tokio::main]
async fn main() -> Result<(), ferrokey_functions::lambda_http::Error> {
    ferrokey_functions::run_job("apps-delete-due", |service| async move {
        let deleted = ferrokey_core::ops::admin::deletion::delete_due(&service).await?;
        Ok(serde_json::json!({ "deleted": deleted }))
    })
    .await
}
