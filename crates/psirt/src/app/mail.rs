//! Outgoing mail: [`enqueue_in`] writes a message to the outbox inside the caller's transaction
//! together with a `mail.deliver` job; the scheduler runs the job ([`deliver`]), which hands the
//! message to the transport and marks it sent only after the transport accepted it.
//!
//! Delivery goes through the job table rather than a scan of the outbox so that several
//! instances never send the same row (the job claim is exclusive) and failures get the job
//! table's back-off. A crash after the SMTP server accepted a message but before it was marked
//! sent delivers it once more, with the same `Message-ID`; a row marked sent is never sent again.
//!
//! Mail about an undisclosed case must carry no detail (only the reference and a link): the
//! callers compose subject and body, this module sends them as given.

use jiff::Timestamp;
use psirt_domain::report::EmailAddress;
use serde_json::json;
use sqlx::{Any, Transaction};

use super::{App, AppError};
use crate::storage::{
    StorageError,
    jobs::{self, Job, NewJob},
    mail::{self as outbox, NewMail},
    mailer::Mailer,
};

/// The job kind that delivers one outbox message (payload `{"key": idempotency key}`).
pub const DELIVER: &str = "mail.deliver";

/// A message to send.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMail<'a> {
    /// Sent at most once per key, however often it is queued: e.g.
    /// `case:PSIRT-2026-0001:message:<message id>` or `remind:<job dedup key>`.
    pub idempotency_key: &'a str,
    pub recipient: &'a EmailAddress,
    pub subject: &'a str,
    /// Plain text.
    pub body: &'a str,
    /// The case the message is about, if any.
    pub case_id: Option<&'a str>,
}

/// Queues a message in the caller's transaction; true when it is new (false: the key was
/// already queued, nothing changed). It goes out when the transaction commits.
pub async fn enqueue_in(
    tx: &mut Transaction<'_, Any>,
    now: Timestamp,
    mail: &OutgoingMail<'_>,
) -> Result<bool, AppError> {
    // A subject is one header line: line breaks in it would start new headers.
    let subject: String = mail
        .subject
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let row = NewMail {
        idempotency_key: mail.idempotency_key,
        recipient: mail.recipient.as_str(),
        subject: &subject,
        body: mail.body,
        case_id: mail.case_id,
    };
    if !outbox::insert(&mut **tx, &row, now).await? {
        return Ok(false);
    }
    let dedup_key = format!("{DELIVER}:{}", mail.idempotency_key);
    jobs::enqueue(
        &mut **tx,
        &NewJob {
            kind: DELIVER,
            dedup_key: &dedup_key,
            payload: json!({ "key": mail.idempotency_key }),
            run_at: now,
        },
    )
    .await?;
    Ok(true)
}

/// Queues a message in its own transaction (for callers that have none).
pub async fn enqueue(app: &App, mail: &OutgoingMail<'_>) -> Result<bool, AppError> {
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    let added = enqueue_in(&mut tx, app.clock.now(), mail).await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(added)
}

/// The `mail.deliver` job: sends the outbox row named in the payload unless it was sent already.
pub async fn deliver(app: &App, mailer: &Mailer, job: &Job) -> Result<(), AppError> {
    let key = job
        .payload
        .get("key")
        .and_then(|k| k.as_str())
        .ok_or_else(|| corrupt("a mail.deliver job without a key"))?;
    let mail = outbox::by_key(&app.db, key)
        .await?
        .ok_or_else(|| corrupt("a mail.deliver job for a message not in the outbox"))?;
    if mail.sent_at.is_some() {
        return Ok(());
    }
    if let Err(e) = mailer.deliver(&mail).await {
        let error = e.to_string();
        outbox::record_failure(&app.db, &mail.id, &error).await?;
        return Err(AppError::Unavailable(error));
    }
    outbox::mark_sent(&app.db, &mail.id, app.clock.now()).await?;
    tracing::info!(key, via = %mailer.describe(), "mail delivered");
    Ok(())
}

fn corrupt(what: &str) -> AppError {
    AppError::Storage(StorageError::Corrupt(what.to_owned()))
}
