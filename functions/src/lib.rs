//! Lambda entry points: each binary in `src/bin/` mounts only its own row of the route table and
//! hands that Router to `lambda_http::run`.
//!
//! Until the AWS adapters land, state comes from the embedded store in `FERROKEY_DATA_DIR`
//! (default `/tmp/ferrokey`), which is enough to run a function locally through the Runtime API.

use ferrokey_http::{AppState, router_for};
use std::path::PathBuf;

/// Builds the state once per cold start and serves `lambda`'s routes until the runtime stops.
pub async fn run(lambda: &'static str) -> Result<(), lambda_http::Error> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .without_time()
        .init();
    let data_dir = std::env::var("FERROKEY_DATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/tmp/ferrokey"));
    let (service, _) = ferrokey_embedded::open_service(&data_dir, None)?;
    let router = router_for(AppState::new(service), lambda)
        .ok_or_else(|| format!("no route in the route table is served by '{lambda}'"))?;
    lambda_http::run(router).await
}
