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

use super::{Db, StorageError, new_id, rows};

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
    pub product_id: Option<String>,
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
    pub fn start(db: Db, max_batch: usize) -> Self {
        let (tx, rx) = mpsc::channel(max_batch.max(1) * 4);
        tokio::spawn(run(db, rx, max_batch.max(1)));
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

async fn run(db: Db, mut rx: mpsc::Receiver<Job>, max_batch: usize) {
    let mut batch = Vec::with_capacity(max_batch);
    while rx.recv_many(&mut batch, max_batch).await > 0 {
        let jobs = std::mem::take(&mut batch);
        let reports: Vec<&PendingReport> = jobs.iter().map(|(r, _)| r).collect();
        match write_batch(&db, &reports).await {
            Ok(receipts) => {
                for ((_, done), receipt) in jobs.into_iter().zip(receipts) {
                    let _ = done.send(Ok(receipt));
                }
            }
            Err(error) => {
                // One bad row must not fail its neighbours: retry each alone.
                tracing::warn!(%error, size = jobs.len(), "intake batch failed; retrying one by one");
                for (report, done) in jobs {
                    let result = write_batch(&db, &[&report]).await.and_then(|mut r| {
                        r.pop()
                            .ok_or_else(|| StorageError::Corrupt("empty batch result".into()))
                    });
                    let _ = done.send(result);
                }
            }
        }
        metrics::counter!("psirt_intake_commits_total").increment(1);
    }
}

async fn write_batch(
    db: &Db,
    reports: &[&PendingReport],
) -> Result<Vec<StoredReceipt>, StorageError> {
    let mut tx = db.pool().begin().await?;
    let mut receipts = Vec::with_capacity(reports.len());
    let numbers = mint_numbers(&mut tx, reports).await?;
    for (report, reference) in reports.iter().zip(numbers) {
        let id = new_id();
        insert_report(&mut tx, &id, reference, report).await?;
        receipts.push(StoredReceipt {
            id,
            reference,
            received_at: report.received_at,
        });
    }
    tx.commit().await?;
    Ok(receipts)
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

async fn insert_report(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    reference: Reference,
    p: &PendingReport,
) -> Result<(), StorageError> {
    let r = &p.report;
    let received = rows::micros(p.received_at);
    sqlx::query(
        "INSERT INTO reports (id, reference, ref_year, ref_number, channel, received_at, tracking_token_hash,
            payload_sha256, status, anonymous, reporter_name, reporter_organization, reporter_job_title,
            reporter_email, product, product_id, model, version, title, description, technical_details,
            reproduction_steps, disclosure_plans)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'received', $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
            $20, $21, $22)",
    )
    .bind(id)
    .bind(reference.to_string())
    .bind(i64::from(reference.year()))
    .bind(i64::from(reference.number()))
    .bind(r.channel.as_str())
    .bind(received)
    .bind(&p.tracking_token_hash)
    .bind(&p.payload_sha256)
    .bind(rows::flag(r.anonymous))
    .bind(r.reporter.name.as_deref())
    .bind(r.reporter.organization.as_deref())
    .bind(r.reporter.job_title.as_deref())
    .bind(r.reporter.email.as_ref().map(|e| e.as_str()))
    .bind(r.product.as_deref())
    .bind(p.product_id.as_deref())
    .bind(r.model.as_deref())
    .bind(r.version.as_deref())
    .bind(r.title.as_str())
    .bind(r.description.as_str())
    .bind(r.technical_details.as_deref())
    .bind(r.reproduction_steps.as_deref())
    .bind(r.disclosure_plans.as_deref())
    .execute(&mut **tx)
    .await?;
    super::reports::insert_attachments(tx, id, None, &p.attachments, received).await?;
    open_case(tx, id, reference, p).await
}

/// Every report opens a case under its own reference (staff may later merge it as a duplicate).
async fn open_case(
    tx: &mut Transaction<'_, Any>,
    id: &str,
    reference: Reference,
    p: &PendingReport,
) -> Result<(), StorageError> {
    let r = &p.report;
    let received = rows::micros(p.received_at);
    let search_text = search_text(r);
    sqlx::query(
        "INSERT INTO cases (id, reference, version, phase, policy_id, title, product_id, product, waiting_for_reporter,
            third_party, market_eu, market_cn, search_text, deadline_state, next_due_at, opened_at, updated_at)
         VALUES ($1, $2, 1, 'received', $3, $4, $5, $6, 0, 0, 0, 0, $7, $8, $9, $10, $10)",
    )
    .bind(id)
    .bind(reference.to_string())
    .bind(&p.policy_id)
    .bind(r.title.as_str())
    .bind(p.product_id.as_deref())
    .bind(r.product.as_deref())
    .bind(search_text)
    .bind(&p.deadline_state)
    .bind(p.next_due_at.map(rows::micros))
    .bind(received)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE reports SET case_id = $1 WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    super::case_write::anchor(tx, id, "received", p.received_at).await?;
    let detail = serde_json::json!({"reference": reference.to_string(), "channel": r.channel.as_str(), "payload_sha256": p.payload_sha256});
    let event = super::audit::NewEvent {
        actor: "reporter",
        action: "report.received",
        case_id: Some(id),
        detail,
    };
    super::audit::append(tx, p.received_at, event).await
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
