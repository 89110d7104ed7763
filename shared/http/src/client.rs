//! What the HTTP request says about the browser: User-Agent and the trusted country header.

use crate::AppState;
use axum::http::{HeaderMap, header};
use ferrokey_core::service::ClientInfo;

/// Reads the client description. Only the configured geo headers are trusted (they are set by
/// the CDN in front of us); the value must look like an ISO 3166 alpha-2 code.
pub fn client_info(state: &AppState, headers: &HeaderMap) -> ClientInfo {
    let country = state
        .country_headers
        .iter()
        .filter_map(|name| headers.get(name)?.to_str().ok())
        .map(str::trim)
        .find(|v| v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase)
        .unwrap_or_default();
    let user_agent =
        headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(String::from);
    ClientInfo { user_agent, country }
}
