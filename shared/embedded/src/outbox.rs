//! The single-machine mailer: each message becomes an `.eml` file in an outbox folder (open it
//! in any mail client); the log names the file (never the link, which carries a token).

use async_trait::async_trait;
use ferrokey_core::StoreError;
use ferrokey_core::ports::{Mail, Mailer, StoreResult};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct OutboxMailer {
    dir: PathBuf,
}

impl OutboxMailer {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        OutboxMailer { dir: dir.into() }
    }
}

/// Header values cannot carry line breaks (header injection).
fn header(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

/// An RFC 5322 message, multipart/alternative when there is an HTML body.
pub fn render_eml(mail: &Mail, id: &str, date: &str) -> String {
    let mut eml = format!(
        "Message-ID: <{id}@ferrokey.local>\r\nDate: {date}\r\nFrom: {}\r\nTo: {}\r\nSubject: {}\r\nMIME-Version: 1.0\r\n",
        header(&mail.from),
        header(&mail.to),
        header(&mail.subject)
    );
    match &mail.html {
        None => eml
            .push_str(&format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n", mail.text)),
        Some(html) => {
            let boundary = format!("ferrokey-{id}");
            eml.push_str(&format!(
                "Content-Type: multipart/alternative; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--{boundary}--\r\n",
                mail.text
            ));
        }
    }
    eml
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send(&self, mail: &Mail) -> StoreResult<String> {
        let now = chrono::Utc::now();
        let id = format!("{}-{}", now.format("%Y%m%dT%H%M%S%.6f"), std::process::id());
        let eml = render_eml(mail, &id, &now.to_rfc2822());
        let path = self.dir.join(format!("{id}.eml"));
        let dir = self.dir.clone();
        let written = tokio::task::spawn_blocking(move || {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(&path, eml)
        })
        .await
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        written.map_err(|e| StoreError::Unavailable(format!("outbox: {e}")))?;
        // Security: the mail's link carries a single-use token (a magic link, an invitation, a
        // recovery link). Logs are read by more people and kept longer than the outbox, so the
        // log names the file to open, never the link.
        let file = self.dir.join(format!("{id}.eml"));
        tracing::info!(to = %mail.to, subject = %mail.subject, file = %file.display(), "mail written to outbox");
        Ok(id)
    }

    async fn health(&self, _from: &str) -> StoreResult<String> {
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || std::fs::create_dir_all(&dir).map(|_| dir))
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))?
            .map(|dir| format!("outbox {}", dir.display()))
            .map_err(|e| StoreError::Unavailable(format!("outbox: {e}")))
    }
}
