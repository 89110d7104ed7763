//! The SES (v2) mailer: one SendEmail per message, simple content (text and, when given, HTML).

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use ferrokey_core::StoreError;
use ferrokey_core::ports::{Mail, Mailer, StoreResult};

#[derive(Debug, Clone)]
pub struct SesMailer {
    client: Client,
}

impl SesMailer {
    pub fn new(client: Client) -> Self {
        SesMailer { client }
    }

    pub async fn from_env() -> Self {
        SesMailer::new(Client::new(&crate::load_config().await))
    }
}

fn content(text: &str) -> StoreResult<Content> {
    Content::builder()
        .data(text)
        .charset("UTF-8")
        .build()
        .map_err(|e| StoreError::Corrupt(format!("ses request: {e}")))
}

/// A rejected message (unverified sender, bad address) will not succeed on retry; throttling will.
fn ses_error<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    crate::classify("ses", e, &["Throttl", "TooManyRequests", "LimitExceeded"])
}

#[async_trait]
impl Mailer for SesMailer {
    async fn send(&self, mail: &Mail) -> StoreResult<String> {
        let mut body = Body::builder().text(content(&mail.text)?);
        if let Some(html) = &mail.html {
            body = body.html(content(html)?);
        }
        let message =
            Message::builder().subject(content(&mail.subject)?).body(body.build()).build();
        let out = self
            .client
            .send_email()
            .from_email_address(&mail.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(ses_error)?;
        Ok(out.message_id().unwrap_or_default().to_string())
    }

    /// The sender identity must exist and be verified: the address itself, or its domain.
    async fn health(&self, from: &str) -> StoreResult<String> {
        let address = from.rsplit('<').next().unwrap_or(from).trim_end_matches('>').trim();
        let domain = address.rsplit('@').next().unwrap_or(address);
        for identity in [address, domain] {
            match self.client.get_email_identity().email_identity(identity).send().await {
                // AWS sets both once an identity is verified; moto only the status.
                Ok(out)
                    if out.verified_for_sending_status()
                        || out.verification_status()
                            == Some(&aws_sdk_sesv2::types::VerificationStatus::Success) =>
                {
                    return Ok(format!("ses identity {identity}"));
                }
                Ok(_) => {
                    return Err(StoreError::Unavailable(format!(
                        "ses identity {identity} is not verified"
                    )));
                }
                Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found_exception()) => {
                    continue;
                }
                Err(e) => return Err(ses_error(e)),
            }
        }
        Err(StoreError::Unavailable(format!("no ses identity for {address}")))
    }
}
