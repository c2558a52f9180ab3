//! The mail outbox: every outgoing message as a row, written in the transaction of the change it
//! reports, once per idempotency key, and marked sent only after the transport accepted it.

use jiff::Timestamp;
use sqlx::{Any, Executor, Row, any::AnyRow};

use super::{Db, StorageError, new_id, rows};

/// A message to queue.
#[derive(Debug, Clone, Copy)]
pub struct NewMail<'a> {
    /// The message exists once per key (e.g. `case:PSIRT-2026-0001:message:<id>`).
    pub idempotency_key: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub case_id: Option<&'a str>,
}

/// A message as stored.
#[derive(Debug, Clone)]
pub struct OutboxMail {
    pub id: String,
    pub idempotency_key: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub case_id: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// Queues a message unless one with the same key exists; true when it was added.
/// Pass `&mut **tx` to write inside the caller's transaction.
pub async fn insert<'e, E>(
    exec: E,
    mail: &NewMail<'_>,
    now: Timestamp,
) -> Result<bool, StorageError>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "INSERT INTO mail_outbox (id, idempotency_key, recipient, subject, body, case_id,
             created_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0) ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(mail.idempotency_key)
    .bind(mail.recipient)
    .bind(mail.subject)
    .bind(mail.body)
    .bind(mail.case_id)
    .bind(rows::micros(now))
    .execute(exec)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_key(db: &Db, idempotency_key: &str) -> Result<Option<OutboxMail>, StorageError> {
    let row = sqlx::query(
        "SELECT id, idempotency_key, recipient, subject, body, case_id, created_at, sent_at,
             attempts, last_error
         FROM mail_outbox WHERE idempotency_key = $1",
    )
    .bind(idempotency_key)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(mail_from_row).transpose()
}

/// Records that the transport accepted the message; false when it was already marked.
pub async fn mark_sent(db: &Db, id: &str, now: Timestamp) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL
         WHERE id = $2 AND sent_at IS NULL",
    )
    .bind(rows::micros(now))
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed delivery attempt (the job retries it later).
pub async fn record_failure(db: &Db, id: &str, error: &str) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $1
         WHERE id = $2 AND sent_at IS NULL",
    )
    .bind(error)
    .bind(id)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// How many messages wait for delivery (for health and tests).
pub async fn pending_count(db: &Db) -> Result<i64, StorageError> {
    let row = sqlx::query("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL")
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get(0)?)
}

fn mail_from_row(row: &AnyRow) -> Result<OutboxMail, StorageError> {
    Ok(OutboxMail {
        id: row.try_get("id")?,
        idempotency_key: row.try_get("idempotency_key")?,
        recipient: row.try_get("recipient")?,
        subject: row.try_get("subject")?,
        body: row.try_get("body")?,
        case_id: row.try_get("case_id")?,
        created_at: rows::from_micros(row.try_get("created_at")?)?,
        sent_at: row
            .try_get::<Option<i64>, _>("sent_at")?
            .map(rows::from_micros)
            .transpose()?,
        attempts: row.try_get("attempts")?,
        last_error: row.try_get("last_error")?,
    })
}
