//! Builds a [`Service`] on a data directory: the SQLite file, the key-hashing pepper, the
//! outbox folder mail goes to (`<data-dir>/outbox`) and the folder rollups and billing files
//! go to (`<data-dir>/objects`).

use crate::{OutboxMailer, SqliteStore};
use ferrokey_core::clock::{Clock, SystemClock};
use ferrokey_core::keys::KeyHasher;
use ferrokey_core::{Service, StoreError};
use std::path::Path;
use std::sync::Arc;

/// Environment variable that, when set, supplies the pepper instead of the data directory.
pub const PEPPER_ENV: &str = "FERROKEY_PEPPER";

/// The pepper: `$FERROKEY_PEPPER`, else `<data-dir>/pepper` (created once, mode 0600).
///
/// Security: the pepper lives beside, not inside, the database, so a copy of `ferrokey.db`
/// alone does not let anyone test guessed keys.
pub fn load_pepper(data_dir: &Path) -> Result<Vec<u8>, StoreError> {
    if let Ok(value) = std::env::var(PEPPER_ENV)
        && !value.is_empty()
    {
        return Ok(value.into_bytes());
    }
    let path = data_dir.join("pepper");
    match std::fs::read_to_string(&path) {
        Ok(text) if !text.trim().is_empty() => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(StoreError::Unavailable(format!("read {}: {e}", path.display())));
        }
    }
    let mut raw = [0u8; 32];
    rand_bytes(&mut raw);
    let text: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    write_private(&path, &text)
        .map_err(|e| StoreError::Unavailable(format!("write {}: {e}", path.display())))?;
    Ok(text.into_bytes())
}

fn rand_bytes(out: &mut [u8]) {
    use rand::RngCore;
    rand::rngs::OsRng.fill_bytes(out);
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Opens the store in `data_dir` (created if missing) and builds the service on it.
pub fn open_service(
    data_dir: &Path,
    clock: Option<Arc<dyn Clock>>,
) -> Result<(Service, SqliteStore), StoreError> {
    std::fs::create_dir_all(data_dir)
        .map_err(|e| StoreError::Unavailable(format!("create {}: {e}", data_dir.display())))?;
    let store = SqliteStore::open(&data_dir.join("ferrokey.db"))?;
    let pepper = load_pepper(data_dir)?;
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    let outbox = Arc::new(OutboxMailer::new(data_dir.join("outbox")));
    let service = Service::new(Arc::new(store.clone()), clock, KeyHasher::new(pepper))
        .with_mailer(outbox, mail_from())
        .with_admin(ferrokey_core::service::AdminSettings::from_env("http://localhost:8787"))
        .with_objects(Arc::new(crate::FolderSink::new(data_dir.join("objects"))));
    Ok((service, store))
}

/// Environment variable naming the sender of Ferrokey's mail.
pub const MAIL_FROM_ENV: &str = "FERROKEY_MAIL_FROM";

/// `$FERROKEY_MAIL_FROM`, or a placeholder sender (the outbox delivers nothing anyway).
pub fn mail_from() -> String {
    std::env::var(MAIL_FROM_ENV)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| ferrokey_core::service::DEFAULT_MAIL_FROM.to_string())
}
