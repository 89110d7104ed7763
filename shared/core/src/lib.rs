//! Ferrokey's domain: types, rules, ports (storage traits) and use cases.
//!
//! Nothing here knows HTTP, AWS or SQLite: the `http` crate turns requests into calls of the
//! operations in [`ops`], and adapter crates implement the traits in [`ports`].

pub mod aaguid;
pub mod analytics;
pub mod cache;
pub mod clock;
pub mod device;
pub mod error;
pub mod events;
pub mod keys;
pub mod model;
pub mod ops;
pub mod ports;
pub mod rp;
pub mod service;
pub mod tokens;
pub mod webauthn;

pub use error::{DomainError, StoreError};
pub use service::Service;
