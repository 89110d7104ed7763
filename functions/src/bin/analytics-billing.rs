//! Scheduled Lambda function (EventBridge, daily): writes last month's bill to S3
//! (`ops::analytics::billing`); after the month settled a re-run writes the same bytes. Not an
//! HTTP route.

#[tokio::main]
async fn main() -> Result<(), ferrokey_functions::lambda_http::Error> {
    ferrokey_functions::run_job("analytics-billing", |service| async move {
        use ferrokey_core::ops::analytics::billing;
        let month = billing::previous_month(service.clock.now());
        let bill = billing::run(&service, &month).await?;
        Ok(serde_json::json!({ "month": bill.month, "apps": bill.apps.len(), "closed": bill.closed }))
    })
    .await
}
