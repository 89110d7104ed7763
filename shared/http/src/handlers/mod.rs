//! Handlers: extract, call the domain operation, map the result. No rules live here.

pub mod admin;
pub mod auth_configs;
pub mod events;
pub mod health;
pub mod register;
pub mod reports;
pub mod signin;
pub mod tokens;
pub mod users;
