//! Single-machine adapters: the SQLite store, the outbox mailer, the folder object sink, and the
//! setup that builds a service on a data directory.

mod folder;
mod host;
mod outbox;
mod sqlite;

pub use folder::FolderSink;
pub use host::{MAIL_FROM_ENV, PEPPER_ENV, load_pepper, mail_from, open_service};
pub use outbox::{OutboxMailer, render_eml};
pub use sqlite::SqliteStore;
