//! `/health/*`: whether the process, its store and its mail transport work (contract §3.13).

use crate::service::Service;
use std::time::Instant;

/// One check's outcome.
#[derive(Debug, Clone)]
pub struct Check {
    pub healthy: bool,
    pub elapsed_ms: u128,
    /// What was checked, or why it failed (no secrets: store and transport names only).
    pub description: String,
}

async fn timed<F, T>(check: F) -> Check
where
    F: std::future::Future<Output = Result<T, crate::StoreError>>,
    T: ToString,
{
    let started = Instant::now();
    let outcome = check.await;
    let elapsed_ms = started.elapsed().as_millis();
    match outcome {
        Ok(description) => {
            Check { healthy: true, elapsed_ms, description: description.to_string() }
        }
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            Check { healthy: false, elapsed_ms, description: "unreachable".into() }
        }
    }
}

/// Reads one (absent) app: the store answers.
pub async fn storage(svc: &Service) -> Check {
    timed(async { svc.store.get_app("healthprobe").await.map(|_| "store answered") }).await
}

/// The mail transport can send from the configured sender.
pub async fn mail(svc: &Service) -> Check {
    timed(svc.mail.mailer.health(&svc.mail.from)).await
}
