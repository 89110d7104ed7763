//! Lambda entry points: each binary in `src/bin/` mounts only its own row of the route table and
//! hands that Router to `lambda_http::run`.
//!
//! State comes from the AWS adapters, configured by the environment (see
//! `ferrokey_aws::service_from_env`): built once per cold start, shared by every invocation.

use ferrokey_http::{AppState, router_for};

pub use lambda_http;

/// JSON logs (CloudWatch adds the time), filtered by `RUST_LOG`.
pub fn init_logs() {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .without_time()
        .init();
}

/// Builds the state once per cold start and serves `lambda`'s routes until the runtime stops.
pub async fn run(lambda: &'static str) -> Result<(), lambda_http::Error> {
    init_logs();
    let service = ferrokey_aws::service_from_env(None).await?;
    let router = router_for(AppState::new(service), lambda)
        .ok_or_else(|| format!("no route in the route table is served by '{lambda}'"))?;
    lambda_http::run(router).await
}

/// Builds the state once per cold start and runs `job` on every scheduled invocation
/// (EventBridge; the event's contents are ignored), answering with the job's summary.
pub async fn run_job<F, Fut>(name: &'static str, job: F) -> Result<(), lambda_http::Error>
where
    F: Fn(ferrokey_core::Service) -> Fut,
    Fut: std::future::Future<Output = Result<serde_json::Value, ferrokey_core::DomainError>>,
{
    use lambda_http::lambda_runtime::{self, LambdaEvent, service_fn};
    init_logs();
    let service = ferrokey_aws::service_from_env(None).await?;
    let job = &job;
    lambda_runtime::run(service_fn(move |_event: LambdaEvent<serde_json::Value>| {
        let service = service.clone();
        async move {
            let summary = job(service).await?;
            tracing::info!(job = name, %summary, "scheduled job done");
            Ok::<serde_json::Value, lambda_runtime::Error>(summary)
        }
    }))
    .await
}
