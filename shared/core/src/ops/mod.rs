//! Use cases: one async function per API operation, typed input to typed output.

pub mod admin;
pub mod analytics;
pub mod apps;
pub mod audit;
pub mod auth_configs;
pub mod health;
pub mod log;
pub mod magic;
pub mod mau;
pub mod register;
pub mod reports;
pub mod session;
pub mod signin;
pub mod users;
pub mod validate;
pub mod verify;
