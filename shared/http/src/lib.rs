//! Ferrokey's HTTP layer: one axum `Router` for both hosts (the local server mounts every route,
//! each Lambda binary mounts its own), built from the single route table in [`routes`].

mod auth;
mod client;
pub mod dto;
pub(crate) mod handlers;
pub mod json;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod views;

pub use problem::ApiError;
pub use routes::{Route, router, router_for, routes};

use axum::http::HeaderName;
use ferrokey_core::Service;
use std::sync::Arc;

/// Largest request body accepted; no endpoint needs more (bigger → 413 problem+json).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    /// Headers trusted to carry the caller's country, first non-empty wins.
    pub country_headers: Arc<Vec<HeaderName>>,
}

impl AppState {
    /// State with the default trusted geo headers (`CloudFront-Viewer-Country`, `CF-IPCountry`).
    pub fn new(service: Service) -> Self {
        AppState {
            service,
            country_headers: Arc::new(vec![
                HeaderName::from_static("cloudfront-viewer-country"),
                HeaderName::from_static("cf-ipcountry"),
            ]),
        }
    }
}
