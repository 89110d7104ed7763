//! Single-machine adapters: the SQLite implementation of every store port, and the setup that
//! builds a service on a data directory.

mod host;
mod sqlite;

pub use host::{PEPPER_ENV, load_pepper, open_service};
pub use sqlite::SqliteStore;
