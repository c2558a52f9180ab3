//! Reading reports, and the conversation and files attached to them.
//!
//! Need-to-know is enforced here, in the queries: every staff read goes through the
//! [`Viewer`] predicate, so lists, counts and single reads obey the same rule.

use jiff::Timestamp;
use sqlx::{Any, Row, Transaction, any::AnyRow};

use super::{Db, StorageError, batch::PendingAttachment, new_id, rows};

/// Who is reading, as far as need-to-know is concerned.
#[derive(Debug, Clone, Copy)]
pub struct Viewer<'a> {
    pub user_id: &'a str,
    pub sees_all: bool,
}

/// A report as stored.
#[derive(Debug, Clone)]
pub struct StoredReport {
    pub id: String,
    pub reference: String,
    pub channel: String,
    pub received_at: Timestamp,
    pub status: String,
    pub anonymous: bool,
    pub reporter_name: Option<String>,
    pub reporter_organization: Option<String>,
    pub reporter_job_title: Option<String>,
    pub reporter_email: Option<String>,
    pub product: Option<String>,
    pub model: Option<String>,
    pub version: Option<String>,
    pub title: String,
    pub description: String,
    pub technical_details: Option<String>,
    pub reproduction_steps: Option<String>,
    pub disclosure_plans: Option<String>,
    /// The case handling this report (its own, or the one it was merged into).
    pub case_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StoredMessage {
    pub id: String,
    pub author_kind: String,
    pub visibility: String,
    pub body: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct StoredAttachment {
    pub id: String,
    pub message_id: Option<String>,
    /// The task whose evidence this file is, if any.
    pub task_id: Option<String>,
    pub sha256: String,
    pub size: u64,
    pub file_name: String,
    pub content_type: String,
    pub created_at: Timestamp,
}

/// Who wrote a message and who may read it.
#[derive(Debug, Clone, Copy)]
pub struct MessageAuthor<'a> {
    /// `reporter` or `staff`.
    pub kind: &'static str,
    pub user_id: Option<&'a str>,
    /// `reporter` (the reporter sees it) or `internal`.
    pub visibility: &'static str,
}

macro_rules! report_columns {
    () => {
        "r.id, r.reference, r.channel, r.received_at,
         COALESCE((SELECT c.phase FROM cases c WHERE c.id = r.case_id), r.status) AS status, r.anonymous, r.reporter_name,
         r.reporter_organization, r.reporter_job_title, r.reporter_email, r.product, r.model, r.version,
         r.title, r.description, r.technical_details, r.reproduction_steps, r.disclosure_plans, r.case_id"
    };
}

/// The need-to-know predicate: `$1` = sees all (0/1), `$2` = the viewer's user id.
macro_rules! visible {
    () => {
        "($1 = 1 OR EXISTS (SELECT 1 FROM grants g WHERE g.user_id = $2
            AND (g.report_id = r.id OR g.report_id = r.case_id OR g.product_id = r.product_id)))"
    };
}

pub async fn by_reference(
    db: &Db,
    viewer: Viewer<'_>,
    reference: &str,
) -> Result<Option<StoredReport>, StorageError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        report_columns!(),
        " FROM reports r WHERE ",
        visible!(),
        " AND r.reference = $3"
    ))
    .bind(rows::flag(viewer.sees_all))
    .bind(viewer.user_id)
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(report_from_row).transpose()
}

/// One page of the reports a viewer may see, newest first, and how many they may see in all.
pub async fn list(
    db: &Db,
    viewer: Viewer<'_>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<StoredReport>, i64), StorageError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        report_columns!(),
        " FROM reports r WHERE ",
        visible!(),
        " ORDER BY r.received_at DESC, r.ref_number DESC LIMIT $3 OFFSET $4"
    ))
    .bind(rows::flag(viewer.sees_all))
    .bind(viewer.user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let total: i64 =
        sqlx::query_scalar(concat!("SELECT COUNT(*) FROM reports r WHERE ", visible!()))
            .bind(rows::flag(viewer.sees_all))
            .bind(viewer.user_id)
            .fetch_one(db.pool())
            .await?;
    let items = rows.iter().map(report_from_row).collect::<Result<_, _>>()?;
    Ok((items, total))
}

/// The report a tracking token hash opens (the reporter's own view: no need-to-know check).
pub async fn by_tracking_hash(
    db: &Db,
    token_hash: &str,
) -> Result<Option<StoredReport>, StorageError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        report_columns!(),
        " FROM reports r WHERE r.tracking_token_hash = $1"
    ))
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(report_from_row).transpose()
}

pub async fn messages(
    db: &Db,
    report_id: &str,
    reporter_visible_only: bool,
) -> Result<Vec<StoredMessage>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, author_kind, visibility, body, created_at FROM report_messages
         WHERE report_id = $1 AND ($2 = 0 OR visibility = 'reporter') ORDER BY created_at, id",
    )
    .bind(report_id)
    .bind(rows::flag(reporter_visible_only))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(StoredMessage {
                id: row.try_get("id")?,
                author_kind: row.try_get("author_kind")?,
                visibility: row.try_get("visibility")?,
                body: row.try_get("body")?,
                created_at: rows::from_micros(row.try_get("created_at")?)?,
            })
        })
        .collect()
}

pub async fn attachments(db: &Db, report_id: &str) -> Result<Vec<StoredAttachment>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, message_id, task_id, sha256, size_bytes, file_name, content_type, created_at
         FROM report_attachments WHERE report_id = $1 ORDER BY created_at, id",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(attachment_from_row).collect()
}

/// Adds a message (and its files) to a report's conversation in one durable transaction.
pub async fn add_message(
    db: &Db,
    report_id: &str,
    author: MessageAuthor<'_>,
    body: &str,
    files: &[PendingAttachment],
    now: Timestamp,
) -> Result<StoredMessage, StorageError> {
    let mut tx = db.pool().begin().await?;
    let message = add_message_in(&mut tx, report_id, author, body, now).await?;
    insert_attachments(
        &mut tx,
        report_id,
        Some(&message.id),
        files,
        rows::micros(now),
    )
    .await?;
    tx.commit().await?;
    Ok(message)
}

/// Adds a message in the caller's transaction.
pub async fn add_message_in(
    tx: &mut Transaction<'_, Any>,
    report_id: &str,
    author: MessageAuthor<'_>,
    body: &str,
    now: Timestamp,
) -> Result<StoredMessage, StorageError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO report_messages (id, report_id, author_kind, author_user_id, visibility, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&id)
    .bind(report_id)
    .bind(author.kind)
    .bind(author.user_id)
    .bind(author.visibility)
    .bind(body)
    .bind(rows::micros(now))
    .execute(&mut **tx)
    .await?;
    Ok(StoredMessage {
        id,
        author_kind: author.kind.into(),
        visibility: author.visibility.into(),
        body: body.into(),
        created_at: now,
    })
}

pub(super) async fn insert_attachments(
    tx: &mut Transaction<'_, Any>,
    report_id: &str,
    message_id: Option<&str>,
    files: &[PendingAttachment],
    at: i64,
) -> Result<(), StorageError> {
    insert_owned(tx, report_id, message_id, None, files, at).await
}

/// Records files given as a task's evidence (they belong to the case's report).
pub async fn insert_task_attachments(
    tx: &mut Transaction<'_, Any>,
    report_id: &str,
    task_id: &str,
    files: &[PendingAttachment],
    at: Timestamp,
) -> Result<(), StorageError> {
    insert_owned(tx, report_id, None, Some(task_id), files, rows::micros(at)).await
}

async fn insert_owned(
    tx: &mut Transaction<'_, Any>,
    report_id: &str,
    message_id: Option<&str>,
    task_id: Option<&str>,
    files: &[PendingAttachment],
    at: i64,
) -> Result<(), StorageError> {
    for file in files {
        let size = i64::try_from(file.size)
            .map_err(|_| StorageError::Corrupt("attachment size".into()))?;
        sqlx::query(
            "INSERT INTO report_attachments (id, report_id, message_id, task_id, sha256, size_bytes, file_name, content_type, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(report_id)
        .bind(message_id)
        .bind(task_id)
        .bind(&file.sha256)
        .bind(size)
        .bind(&file.file_name)
        .bind(&file.content_type)
        .bind(at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn report_from_row(row: &AnyRow) -> Result<StoredReport, StorageError> {
    Ok(StoredReport {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        channel: row.try_get("channel")?,
        received_at: rows::from_micros(row.try_get("received_at")?)?,
        status: row.try_get("status")?,
        anonymous: row.try_get::<i64, _>("anonymous")? != 0,
        reporter_name: row.try_get("reporter_name")?,
        reporter_organization: row.try_get("reporter_organization")?,
        reporter_job_title: row.try_get("reporter_job_title")?,
        reporter_email: row.try_get("reporter_email")?,
        product: row.try_get("product")?,
        model: row.try_get("model")?,
        version: row.try_get("version")?,
        title: row.try_get("title")?,
        description: row.try_get("description")?,
        technical_details: row.try_get("technical_details")?,
        reproduction_steps: row.try_get("reproduction_steps")?,
        disclosure_plans: row.try_get("disclosure_plans")?,
        case_id: row.try_get("case_id")?,
    })
}

fn attachment_from_row(row: &AnyRow) -> Result<StoredAttachment, StorageError> {
    Ok(StoredAttachment {
        id: row.try_get("id")?,
        message_id: row.try_get("message_id")?,
        task_id: row.try_get("task_id")?,
        sha256: row.try_get("sha256")?,
        size: u64::try_from(row.try_get::<i64, _>("size_bytes")?).unwrap_or(0),
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        created_at: rows::from_micros(row.try_get("created_at")?)?,
    })
}

/// The reporter's address of a report, if they gave one.
pub async fn reporter_email(db: &Db, report_id: &str) -> Result<Option<String>, StorageError> {
    Ok(
        sqlx::query_scalar::<_, Option<String>>("SELECT reporter_email FROM reports WHERE id = $1")
            .bind(report_id)
            .fetch_optional(db.pool())
            .await?
            .flatten(),
    )
}
