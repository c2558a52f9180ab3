//! The mail transport: SMTP through lettre when `mail.smtp_url` is set, otherwise RFC 5322
//! `.eml` files in `{data_dir}/outbox/` (fsynced, named after the idempotency key).
//!
//! A message is built the same way for both: the `Date` is when it was queued and the
//! `Message-ID` is derived from its idempotency key, so a message delivered twice (a crash after
//! the server accepted it but before the outbox row was marked) is recognisably the same one.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use sha2::{Digest, Sha256};
use tokio::{fs, io::AsyncWriteExt};

use super::{blobs::sync_dir, mail::OutboxMail};
use crate::config::{MailConfig, redact_url};

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("mail setting {0}")]
    Config(String),
    #[error("cannot build the message: {0}")]
    Message(String),
    #[error("SMTP delivery failed: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("cannot write to the outbox folder: {0}")]
    Io(#[from] std::io::Error),
}

/// Where mail goes.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Smtp {
        smtp: AsyncSmtpTransport<Tokio1Executor>,
        /// For logs: the URL without its password.
        shown: String,
    },
    Files(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Mailer {
    /// The transport the configuration asks for (already checked by `Config::validate`).
    pub fn from_config(config: &MailConfig, data_dir: &Path) -> Result<Self, MailerError> {
        let from = config
            .from
            .parse::<Mailbox>()
            .map_err(|e| MailerError::Config(format!("mail.from: {e}")))?;
        let transport = match config.smtp_url() {
            Some(url) => Transport::Smtp {
                smtp: AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailerError::Config(format!("mail.smtp_url: {e}")))?
                    .timeout(Some(Duration::from_secs(config.timeout_seconds)))
                    .build(),
                shown: redact_url(url),
            },
            None => Transport::Files(data_dir.join("outbox")),
        };
        Ok(Self { from, transport })
    }

    /// Where mail goes, for logs (no secrets).
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp { shown, .. } => format!("SMTP {shown}"),
            Transport::Files(dir) => format!("files in {}", dir.display()),
        }
    }

    /// Hands one message to the transport; returns only once the SMTP server accepted it or the
    /// file is durable.
    pub async fn deliver(&self, mail: &OutboxMail) -> Result<(), MailerError> {
        let message = self.message(mail)?;
        match &self.transport {
            Transport::Smtp { smtp, .. } => {
                smtp.send(message).await?;
            }
            Transport::Files(dir) => {
                write_durably(dir, &eml_name(&mail.idempotency_key), &message.formatted()).await?;
            }
        }
        Ok(())
    }

    /// The RFC 5322 message for an outbox row.
    pub fn message(&self, mail: &OutboxMail) -> Result<Message, MailerError> {
        let to = mail
            .recipient
            .parse::<Mailbox>()
            .map_err(|e| MailerError::Message(format!("recipient: {e}")))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.as_str())
            .date(mail.created_at.into())
            .message_id(Some(message_id(
                &mail.idempotency_key,
                self.from.email.domain(),
            )))
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailerError::Message(e.to_string()))
    }
}

/// `<psirt.{hash of the key}@{sender's domain}>`: the same key always gives the same id.
pub fn message_id(idempotency_key: &str, domain: &str) -> String {
    format!("<psirt.{}@{domain}>", key_hash(idempotency_key))
}

/// The outbox file for a key: its safe characters, then a hash of the whole key so that two keys
/// that differ only in unsafe characters never share a file. Nothing else becomes a path.
pub fn eml_name(idempotency_key: &str) -> String {
    let readable: String = idempotency_key
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let hash = key_hash(idempotency_key);
    format!(
        "{}.{}.eml",
        readable.trim_start_matches('.'),
        hash.get(..16).unwrap_or(&hash)
    )
}

fn key_hash(key: &str) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(key.as_bytes()))
}

/// Writes to a temporary name, fsyncs, renames into place and fsyncs the folder.
async fn write_durably(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    fs::create_dir_all(dir).await?;
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = fs::File::create(&tmp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    drop(file);
    fs::rename(&tmp, dir.join(name)).await?;
    sync_dir(dir).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbox_names_never_escape_the_folder() {
        let a = eml_name("case:PSIRT-2026-0001/../../etc/passwd");
        assert!(
            a.starts_with("case_PSIRT-2026-0001_.._.._etc_passwd."),
            "{a}"
        );
        assert!(!a.contains('/'));
        assert!(!eml_name("..hidden").starts_with('.'));
        assert_ne!(eml_name("a/b"), eml_name("a_b"));
        assert_eq!(
            message_id("k", "example.com"),
            message_id("k", "example.com")
        );
    }
}
