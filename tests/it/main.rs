//! Ferrokey's one integration-test binary: the real Router on 127.0.0.1:0 over HTTP, driven
//! with the JSON the official browser client and server SDKs send.

mod authenticator;
mod capacity;
mod harness;
mod health;
mod moto;

mod adapters;
mod admin;
mod admin_apps;
mod admin_client;
mod admin_isolation;
mod admin_key_cache;
mod admin_robustness;
mod analytics;
mod auth;
mod auth_configs;
mod budget;
mod cli;
mod conformance;
mod conformance_admin;
mod credential_format;
mod cross_app;
mod events;
mod faults;
mod fuzz_replay;
mod hostile;
mod hostile_table;
mod lambda;
mod lambda_runtime;
mod register;
mod reports;
mod robustness;
mod secrets;
mod signin;
mod soak;
mod template;
mod tokens;
mod users;
mod users_counter;
