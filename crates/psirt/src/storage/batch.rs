//! Group commit for intake: one task takes every submitted report, writes as many as are
//! waiting in one transaction (one fsync) and only then answers each submitter.
//!
//! This is how psirt answers "received" only for what is durably committed without paying one
//! fsync per report. References are minted inside the same transaction with a single
//! `INSERT … ON CONFLICT … RETURNING` per year, so two processes sharing PostgreSQL serialise on
//! the counter row and never mint a duplicate or leave a gap.

use jiff::Timestamp;
use psirt_domain::report::{NewReport, Reference};
use sqlx::{Any, Transaction};
use tokio::sync::{mpsc, oneshot};

use super::{Db, StorageError, new_id, rows, search::IndexSignal};

/// An attachment already written to the blob store, to be recorded with its report.
#[derive(Debug, Clone)]
pub struct PendingAttachment {
    pub sha256: String,
    pub size: u64,
    pub file_name: String,
    pub content_type: String,
}

/// Everything needed to record one report.
#[derive(Debug, Clone)]
pub struct PendingReport {
    pub report: NewReport,
    pub received_at: Timestamp,
    pub tracking_token_hash: String,
    pub payload_sha256: String,
    pub attachments: Vec<PendingAttachment>,
    /// The policy the case this report opens runs under.
    pub policy_id: String,
    /// The case's first deadline summary (`deadline_state`, `next_due_at`), from the policy.
    pub deadline_state: String,
    pub next_due_at: Option<Timestamp>,
}

/// What the submitter is told once the report is committed.
#[derive(Debug, Clone)]
pub struct StoredReceipt {
    pub id: String,
    pub reference: Reference,
    pub received_at: Timestamp,
}

type Job = (
    PendingReport,
    oneshot::Sender<Result<StoredReceipt, StorageError>>,
);

/// Handle to the intake writer task. Cloning shares the task.
#[derive(Clone, Debug)]
pub struct IntakeWriter {
    tx: mpsc::Sender<Job>,
}

impl IntakeWriter {
    /// Starts the writer. `max_batch` bounds how many reports share one commit.
    /// `indexing` hears of every commit (the full-text indexer yields while intake is busy).
    pub fn start(db: Db, max_batch: usize, indexing: IndexSignal) -> Self {
        let (tx, rx) = mpsc::channel(max_batch.max(1) * 4);
        tokio::spawn(run(db, rx, max_batch.max(1), indexing));
        Self { tx }
    }

    /// Records one report; returns only after its transaction has committed.
    pub async fn submit(&self, report: PendingReport) -> Result<StoredReceipt, StorageError> {
        let (done, wait) = oneshot::channel();
        self.tx
            .send((report, done))
            .await
            .map_err(|_| StorageError::WriterStopped)?;
        wait.await.map_err(|_| StorageError::WriterStopped)?
    }
}

type Answer = (
    oneshot::Sender<Result<StoredReceipt, StorageError>>,
    Result<StoredReceipt, StorageError>,
);

async fn run(db: Db, mut rx: mpsc::Receiver<Job>, max_batch: usize, indexing: IndexSignal) {
    let mut batch = Vec::with_capacity(max_batch);
    let mut own: Option<OwnConnection> = None;
    while rx.recv_many(&mut batch, max_batch).await > 0 {
        let jobs = std::mem::take(&mut batch);
        if db.pool().is_closed() {
            // Closing the pool stops intake: nothing is written after it.
            own = None;
        } else if own.is_none() {
            own = OwnConnection::open(&db).await;
        }
        let answers = write_jobs(&db, own.as_mut(), jobs).await;
        metrics::counter!("psirt_intake_commits_total").increment(1);
        indexing.committed();
        match own.take() {
            Some(connection) => {
                // The connection may be what failed: the next batch then opens a fresh one.
                let failed = answers.iter().any(|(_, r)| r.is_err());
                if let Err(mpsc::error::SendError(answers)) = connection.synced.send(answers) {
                    answer(answers, Err(()));
                }
                if !failed {
                    own = Some(connection);
                }
            }
            None => answer(answers, Ok(())),
        }
    }
}

/// Writes `jobs` in one transaction; if that fails, each alone, so one bad row does not fail
/// its neighbours.
async fn write_jobs(db: &Db, mut own: Option<&mut OwnConnection>, jobs: Vec<Job>) -> Vec<Answer> {
    let reports: Vec<&PendingReport> = jobs.iter().map(|(r, _)| r).collect();
    match write_batch(db, own.as_deref_mut(), &reports).await {
        Ok(receipts) => jobs
            .into_iter()
            .zip(receipts)
            .map(|((_, done), receipt)| (done, Ok(receipt)))
            .collect(),
        Err(error) => {
            tracing::warn!(%error, size = jobs.len(), "intake batch failed; retrying one by one");
            let mut answers = Vec::with_capacity(jobs.len());
            for (report, done) in jobs {
                let result = write_batch(db, own.as_deref_mut(), &[&report])
                    .await
                    .and_then(|mut r| {
                        r.pop()
                            .ok_or_else(|| StorageError::Corrupt("empty batch result".into()))
                    });
                answers.push((done, result));
            }
            answers
        }
    }
}

/// Sends each submitter its result, or a storage error when the commit could not be made
/// durable.
fn answer(answers: Vec<Answer>, durable: Result<(), ()>) {
    for (done, result) in answers {
        let result = match durable {
            Ok(()) => result,
            Err(()) => result.and(Err(StorageError::Corrupt(
                "the commit could not be flushed to disk".into(),
            ))),
        };
        let _ = done.send(result);
    }
}

/// The writer's own SQLite connection, committing with `synchronous = NORMAL` (the commit writes
/// the WAL but does not wait for the disk) while a second task flushes the WAL with `fdatasync`
/// and only then answers the batch's submitters. The next batch is written while the previous
/// one is being flushed, instead of holding SQLite's one write lock through every fsync.
/// Durability is unchanged: nobody hears "received" before the WAL frames of their commit are
/// on disk, and SQLite recovers committed WAL frames after a crash or power loss.
struct OwnConnection {
    /// Detached from the pool: closing the pool does not wait for it, and its pragma never
    /// reaches a pooled connection.
    connection: sqlx::AnyConnection,
    synced: mpsc::UnboundedSender<Vec<Answer>>,
}

impl OwnConnection {
    /// `None` for PostgreSQL and in-memory SQLite (each commit then waits for its own flush),
    /// or when no connection can be had now (the batch then uses the pool).
    async fn open(db: &Db) -> Option<Self> {
        let file = db.sqlite_file()?.to_owned();
        let mut connection = db.pool().acquire().await.ok()?.detach();
        sqlx::query("PRAGMA synchronous = NORMAL")
            .execute(&mut connection)
            .await
            .ok()?;
        let (synced, waiting) = mpsc::unbounded_channel();
        tokio::spawn(flush_then_answer(file, waiting));
        Some(Self { connection, synced })
    }
}

/// Flushes the WAL once for every batch committed since the last flush, then answers them.
async fn flush_then_answer(
    database: std::path::PathBuf,
    mut waiting: mpsc::UnboundedReceiver<Vec<Answer>>,
) {
    let mut batches = Vec::new();
    while waiting.recv_many(&mut batches, 1024).await > 0 {
        let ready = std::mem::take(&mut batches);
        let file = database.clone();
        let flushed = tokio::task::spawn_blocking(move || flush_wal(&file))
            .await
            .map_err(std::io::Error::other)
            .and_then(|r| r);
        if let Err(error) = &flushed {
            tracing::error!(%error, "cannot flush the SQLite write-ahead log");
        }
        for answers in ready {
            answer(answers, flushed.as_ref().map(|_| ()).map_err(|_| ()));
        }
    }
}

/// `fdatasync` of `{database}-wal`. When there is no WAL file, its frames were checkpointed
/// into the database file (SQLite syncs the WAL before a checkpoint) and the database file is
/// flushed instead.
fn flush_wal(database: &std::path::Path) -> std::io::Result<()> {
    let mut wal = database.as_os_str().to_owned();
    wal.push("-wal");
    match std::fs::File::open(&wal) {
        Ok(file) => file.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::File::open(database)?.sync_data()
        }
        Err(e) => Err(e),
    }
}

/// Writes a batch in one transaction with a few multi-row statements per table, not several
/// statements per report: each statement is a round trip to the database.
async fn write_batch(
    db: &Db,
    own: Option<&mut OwnConnection>,
    reports: &[&PendingReport],
) -> Result<Vec<StoredReceipt>, StorageError> {
    let mut tx = match own {
        Some(own) => sqlx::Connection::begin(&mut own.connection).await?,
        None => db.pool().begin().await?,
    };
    let numbers = mint_numbers(&mut tx, reports).await?;
    let rows: Vec<Row<'_>> = reports
        .iter()
        .zip(numbers)
        .map(|(p, reference)| Row {
            id: new_id(),
            reference,
            text: reference.to_string(),
            received: rows::micros(p.received_at),
            p,
        })
        .collect();
    // Reports first (with no case yet), then their cases, then the link: each foreign key
    // between `reports` and `cases` points at a row already written when its statement ends.
    insert_reports(&mut tx, &rows).await?;
    insert_attachments(&mut tx, &rows).await?;
    open_cases(&mut tx, &rows).await?;
    let events: Vec<_> = rows
        .iter()
        .map(|r| {
            let detail = serde_json::json!({"reference": r.text, "channel": r.p.report.channel.as_str(), "payload_sha256": r.p.payload_sha256});
            let event = super::audit::NewEvent {
                actor: "reporter",
                action: "report.received",
                case_id: Some(r.id.as_str()),
                detail,
            };
            (r.p.received_at, event)
        })
        .collect();
    super::audit::append_many(&mut tx, &events).await?;
    drop(events);
    tx.commit().await?;
    Ok(rows
        .into_iter()
        .map(|row| StoredReceipt {
            id: row.id,
            reference: row.reference,
            received_at: row.p.received_at,
        })
        .collect())
}

/// One report of a batch with what the writer derived for it.
struct Row<'a> {
    id: String,
    reference: Reference,
    /// `reference` formatted, e.g. `PSIRT-2026-0001`.
    text: String,
    received: i64,
    p: &'a PendingReport,
}

/// Reserves one number per report, per year, in the batch's transaction.
async fn mint_numbers(
    tx: &mut Transaction<'_, Any>,
    reports: &[&PendingReport],
) -> Result<Vec<Reference>, StorageError> {
    let years: Vec<i16> = reports.iter().map(|r| year_of(r.received_at)).collect();
    let mut distinct = years.clone();
    distinct.sort_unstable();
    distinct.dedup();
    let mut next = Vec::with_capacity(distinct.len());
    for year in distinct {
        let count = years.iter().filter(|y| **y == year).count() as i64;
        let last: i64 = sqlx::query_scalar(
            "INSERT INTO reference_counters (year, last_number) VALUES ($1, $2)
             ON CONFLICT (year) DO UPDATE SET last_number = reference_counters.last_number + excluded.last_number
             RETURNING last_number",
        )
        .bind(i64::from(year))
        .bind(count)
        .fetch_one(&mut **tx)
        .await?;
        next.push((year, last - count + 1));
    }
    years
        .into_iter()
        .map(|year| {
            let slot = next
                .iter_mut()
                .find(|(y, _)| *y == year)
                .ok_or_else(|| StorageError::Corrupt("year".into()))?;
            let number = u32::try_from(slot.1)
                .map_err(|_| StorageError::Corrupt("reference overflow".into()))?;
            slot.1 += 1;
            Reference::new(year, number).map_err(|e| StorageError::Corrupt(e.to_string()))
        })
        .collect()
}

fn year_of(t: Timestamp) -> i16 {
    t.to_zoned(jiff::tz::TimeZone::UTC).year()
}

async fn insert_reports(
    tx: &mut Transaction<'_, Any>,
    rows: &[Row<'_>],
) -> Result<(), StorageError> {
    // The catalog id is looked up by the statement itself (`$14` is the product's name).
    insert_rows(
        tx,
        "INSERT INTO reports (id, reference, ref_year, ref_number, channel, received_at, tracking_token_hash,
            payload_sha256, status, anonymous, reporter_name, reporter_organization, reporter_job_title,
            reporter_email, product, product_id, model, version, title, description, technical_details,
            reproduction_steps, disclosure_plans) VALUES ",
        "($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $10, $11, $12, $13, $14,
            (SELECT id FROM products WHERE name = $14), $15, $16, $17, $18, $19, $20, $21)",
        21,
        "",
        rows,
        |q, row| {
            let (p, r) = (row.p, &row.p.report);
            q.bind(row.id.as_str())
                .bind(row.text.as_str())
                .bind(i64::from(row.reference.year()))
                .bind(i64::from(row.reference.number()))
                .bind(r.channel.as_str())
                .bind(row.received)
                .bind(p.tracking_token_hash.as_str())
                .bind(p.payload_sha256.as_str())
                .bind(rows::flag(r.anonymous))
                .bind(r.reporter.name.as_deref())
                .bind(r.reporter.organization.as_deref())
                .bind(r.reporter.job_title.as_deref())
                .bind(r.reporter.email.as_ref().map(|e| e.as_str()))
                .bind(r.product.as_deref())
                .bind(r.model.as_deref())
                .bind(r.version.as_deref())
                .bind(r.title.as_str())
                .bind(r.description.as_str())
                .bind(r.technical_details.as_deref())
                .bind(r.reproduction_steps.as_deref())
                .bind(r.disclosure_plans.as_deref())
        },
    )
    .await
}

async fn insert_attachments(
    tx: &mut Transaction<'_, Any>,
    rows: &[Row<'_>],
) -> Result<(), StorageError> {
    let mut files = Vec::new();
    for row in rows {
        for file in &row.p.attachments {
            let size = i64::try_from(file.size)
                .map_err(|_| StorageError::Corrupt("attachment size".into()))?;
            files.push((new_id(), row, file, size));
        }
    }
    insert_rows(
        tx,
        "INSERT INTO report_attachments (id, report_id, message_id, sha256, size_bytes, file_name,
            content_type, created_at) VALUES ",
        "($1, $2, NULL, $3, $4, $5, $6, $7)",
        7,
        "",
        &files,
        |q, (id, row, file, size)| {
            q.bind(id.as_str())
                .bind(row.id.as_str())
                .bind(file.sha256.as_str())
                .bind(*size)
                .bind(file.file_name.as_str())
                .bind(file.content_type.as_str())
                .bind(row.received)
        },
    )
    .await
}

/// Every report opens a case under its own reference (staff may later merge it as a duplicate),
/// with its clock anchored at receipt.
async fn open_cases(tx: &mut Transaction<'_, Any>, rows: &[Row<'_>]) -> Result<(), StorageError> {
    insert_rows(
        tx,
        "INSERT INTO cases (id, reference, version, phase, policy_id, title, product_id, product,
            waiting_for_reporter, third_party, market_eu, market_cn, search_text, deadline_state,
            next_due_at, opened_at, updated_at) VALUES ",
        "($1, $2, 1, 'received', $3, $4, (SELECT id FROM products WHERE name = $5), $5, 0, 0, 0, 0,
            $6, $7, $8, $9, $9)",
        9,
        "",
        rows,
        |q, row| {
            let (p, r) = (row.p, &row.p.report);
            q.bind(row.id.as_str())
                .bind(row.text.as_str())
                .bind(p.policy_id.as_str())
                .bind(r.title.as_str())
                .bind(r.product.as_deref())
                .bind(search_text(r))
                .bind(p.deadline_state.as_str())
                .bind(p.next_due_at.map(rows::micros))
                .bind(row.received)
        },
    )
    .await?;
    insert_rows(
        tx,
        "UPDATE reports SET case_id = id WHERE id IN (",
        "$1",
        1,
        ")",
        rows,
        |q, row| q.bind(row.id.as_str()),
    )
    .await?;
    insert_rows(
        tx,
        "INSERT INTO case_anchors (case_id, event, at) VALUES ",
        "($1, 'received', $2)",
        2,
        "",
        rows,
        |q, row| q.bind(row.id.as_str()).bind(row.received),
    )
    .await
}

/// A query of the `Any` driver, as [`insert_rows`] hands it to a row's binder.
pub(super) type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>;

/// Bind parameters per statement: far below SQLite's limit (32,766) and PostgreSQL's (65,535),
/// because SQLite finds each `$n` by a linear search, so binding costs grow with its square.
const MAX_BINDS: usize = 256;
/// At most this many rows per statement.
const MAX_ROWS: usize = 256;

/// Writes `items` with as few statements as possible: `head`, then `row` once per item with its
/// placeholders `$1…$binds` renumbered, then `tail`. Chunks have power-of-two sizes, so a
/// connection's prepared-statement cache holds a handful of shapes per table, not one per batch
/// size, and no statement exceeds either database's bind-parameter limit.
pub(super) async fn insert_rows<T>(
    tx: &mut Transaction<'_, Any>,
    head: &str,
    row: &str,
    binds: usize,
    tail: &str,
    items: &[T],
    bind: impl for<'q> Fn(AnyQuery<'q>, &T) -> AnyQuery<'q>,
) -> Result<(), StorageError> {
    let mut rest = items;
    while !rest.is_empty() {
        let size = chunk_size(rest.len(), binds);
        let (chunk, after) = rest.split_at_checked(size).unwrap_or((rest, &[]));
        let sql = repeat_row(head, row, binds, chunk.len(), tail);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for item in chunk {
            query = bind(query, item);
        }
        query.execute(&mut **tx).await?;
        rest = after;
    }
    Ok(())
}

/// The largest power of two that fits `remaining` rows and the limits.
fn chunk_size(remaining: usize, binds: usize) -> usize {
    let cap = remaining.min(MAX_ROWS).min(MAX_BINDS / binds.max(1)).max(1);
    1 << cap.ilog2()
}

/// `head`, `rows` comma-separated copies of `row` (copy `i` has its `$n` shifted by
/// `i * binds`), `tail`.
fn repeat_row(head: &str, row: &str, binds: usize, rows: usize, tail: &str) -> String {
    let mut sql = String::with_capacity(head.len() + (row.len() + 16) * rows + tail.len());
    sql.push_str(head);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        let mut parts = row.split('$');
        sql.push_str(parts.next().unwrap_or_default());
        for part in parts {
            let digits = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            let (number, after) = part.split_at_checked(digits).unwrap_or(("", part));
            sql.push('$');
            match number.parse::<usize>() {
                Ok(n) => sql.push_str(&(n + i * binds).to_string()),
                Err(_) => sql.push_str(number),
            }
            sql.push_str(after);
        }
    }
    sql.push_str(tail);
    sql
}

/// The text full-text search looks at.
pub fn search_text(r: &NewReport) -> String {
    [
        Some(r.title.as_str()),
        Some(r.description.as_str()),
        r.product.as_deref(),
        r.model.as_deref(),
        r.version.as_deref(),
        r.technical_details.as_deref(),
        r.reproduction_steps.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::{MAX_BINDS, chunk_size, repeat_row};

    #[test]
    fn rows_are_renumbered_per_copy() {
        assert_eq!(
            repeat_row(
                "INSERT INTO t VALUES ",
                "($1, 'x', $2, f($1))",
                2,
                3,
                " ON CONFLICT"
            ),
            "INSERT INTO t VALUES ($1, 'x', $2, f($1)), ($3, 'x', $4, f($3)), ($5, 'x', $6, f($5)) ON CONFLICT"
        );
        assert_eq!(repeat_row("IN (", "$1", 1, 2, ")"), "IN ($1, $2)");
    }

    #[test]
    fn chunks_are_powers_of_two_within_the_bind_limit() {
        assert_eq!(chunk_size(1, 21), 1);
        assert_eq!(chunk_size(33, 1), 32);
        assert_eq!(chunk_size(33, 21), 8);
        assert_eq!(chunk_size(10_000, 1), 256);
        assert_eq!(chunk_size(5, 10_000), 1);
        assert!(chunk_size(1_000, 21) * 21 <= MAX_BINDS);
    }
}
