//! Analytics: enrichment of ceremony events and their daily rollups, for the dashboard and billing.
//!
//! Pure functions that turn what the auth path sees at a ceremony's begin (the browser's
//! `User-Agent`, the trusted geo header's country) into the dimensions the rollups count by,
//! as defined in `ANALYTICS.md`:
//!
//! - [`platform`]: the platform bucket (`ios`, `android`, `macos`, `windows`, `other`) and a
//!   finer OS name, from the `User-Agent`.
//! - [`daily`]: one app's day of ceremonies rolled up (what the aggregation job writes).
//! - [`dashboard`]: the dashboard API's numbers folded from day summaries (its response types in
//!   `dashboard_shape.rs`).
//! - [`monthly`]: one app's month (MAU, totals) and the billing files.
//! - [`summary`]: a day's marginals, what the dashboard reads.
//! - [`geo`]: the UN M49 region, sub-region and intermediate region of an ISO 3166-1 alpha-2
//!   country code, from the table shipped in `shared/core/data/m49.json`.

mod builder;
pub mod daily;
pub mod dashboard;
mod dashboard_shape;
pub mod geo;
pub mod monthly;
pub mod platform;
pub mod summary;
