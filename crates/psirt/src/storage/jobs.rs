//! The job table: durable background work, deduplicated by key, claimed under a lease.
//!
//! A job is enqueued once per `dedup_key` (enqueueing again is a no-op), claimed by one
//! scheduler instance at a time (the claim statement is in [`super::Dialect::claim_jobs`]), and
//! then completed or failed. A claim is a lease: when the instance dies, the job becomes due
//! again once `locked_until` has passed. `done_at` is set when the job finished or was given up
//! (then `last_error` says why).

use jiff::{SignedDuration, Timestamp};
use sqlx::{Any, Executor, Row, any::AnyRow};

use super::{Db, StorageError, new_id, rows};

/// Failed attempts after which a job is given up (about a day of retries with the back-off).
pub const MAX_ATTEMPTS: i64 = 30;
/// The wait after the first failure; it doubles with each further failure.
const BACKOFF_BASE: SignedDuration = SignedDuration::from_secs(30);
/// The longest wait between two attempts.
const BACKOFF_MAX: SignedDuration = SignedDuration::from_secs(3600);

/// A job as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub dedup_key: String,
    pub payload: serde_json::Value,
    pub run_at: Timestamp,
    /// How many times the job was claimed (including the current claim).
    pub attempts: i64,
    /// The end of the current lease; also the token that proves a claim is still ours.
    pub locked_until: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

/// Work to do later.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// What to run, e.g. `mail.deliver` (see `app::scheduler::dispatch`).
    pub kind: &'a str,
    /// The job exists once per key: `deadline.remind:PSIRT-2026-0001:fix:warn-1`.
    pub dedup_key: &'a str,
    pub payload: serde_json::Value,
    /// Not before.
    pub run_at: Timestamp,
}

const COLUMNS: &str =
    "id, kind, dedup_key, payload, run_at, attempts, locked_until, done_at, last_error";

/// Adds a job unless one with the same `dedup_key` exists; true when it was added.
/// Pass `&mut **tx` to enqueue inside the caller's transaction, or `db.pool()`.
pub async fn enqueue<'e, E>(exec: E, job: &NewJob<'_>) -> Result<bool, StorageError>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "INSERT INTO jobs (id, kind, dedup_key, payload, run_at, attempts)
         VALUES ($1, $2, $3, $4, $5, 0) ON CONFLICT (dedup_key) DO NOTHING",
    )
    .bind(new_id())
    .bind(job.kind)
    .bind(job.dedup_key)
    .bind(job.payload.to_string())
    .bind(rows::micros(job.run_at))
    .execute(exec)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims up to `limit` due jobs for `lease`, oldest first. A job another instance holds under
/// an unexpired lease is never returned; one whose lease expired (its instance died) is.
pub async fn claim(
    db: &Db,
    now: Timestamp,
    lease: SignedDuration,
    limit: i64,
) -> Result<Vec<Job>, StorageError> {
    let until = now
        .checked_add(lease)
        .map_err(|e| StorageError::Corrupt(format!("lease end: {e}")))?;
    // One statement, so one transaction: the rows are locked (PostgreSQL: skipped by others)
    // from the moment they are selected until `locked_until` is committed.
    let rows = sqlx::query(db.dialect().claim_jobs())
        .bind(rows::micros(until))
        .bind(rows::micros(now))
        .bind(limit)
        .fetch_all(db.pool())
        .await?;
    let mut jobs = rows
        .iter()
        .map(job_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    jobs.sort_by_key(|j| j.run_at);
    Ok(jobs)
}

/// Marks a claimed job done; false when the lease was lost (another instance re-claimed it).
pub async fn complete(db: &Db, job: &Job, now: Timestamp) -> Result<bool, StorageError> {
    let done = sqlx::query(
        "UPDATE jobs SET done_at = $1, locked_until = NULL, last_error = NULL
         WHERE id = $2 AND locked_until = $3 AND done_at IS NULL",
    )
    .bind(rows::micros(now))
    .bind(&job.id)
    .bind(job.locked_until.map(rows::micros))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt: the job runs again after an exponential back-off, or is given up
/// after [`MAX_ATTEMPTS`]. False when the lease was lost.
pub async fn fail(db: &Db, job: &Job, now: Timestamp, error: &str) -> Result<bool, StorageError> {
    let give_up = job.attempts >= MAX_ATTEMPTS;
    let (run_at, done_at, error) = if give_up {
        let error = format!("given up after {} attempts: {error}", job.attempts);
        (job.run_at, Some(rows::micros(now)), error)
    } else {
        let retry = now.checked_add(backoff(job.attempts)).unwrap_or(now);
        (retry, None, error.to_owned())
    };
    let done = sqlx::query(
        "UPDATE jobs SET run_at = $1, done_at = $2, last_error = $3, locked_until = NULL
         WHERE id = $4 AND locked_until = $5 AND done_at IS NULL",
    )
    .bind(rows::micros(run_at))
    .bind(done_at)
    .bind(error)
    .bind(&job.id)
    .bind(job.locked_until.map(rows::micros))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Withdraws a job that has not run yet (e.g. a reminder for a milestone already met).
pub async fn cancel<'e, E>(exec: E, dedup_key: &str, now: Timestamp) -> Result<bool, StorageError>
where
    E: Executor<'e, Database = Any>,
{
    let done = sqlx::query(
        "UPDATE jobs SET done_at = $1, last_error = 'cancelled'
         WHERE dedup_key = $2 AND done_at IS NULL",
    )
    .bind(rows::micros(now))
    .bind(dedup_key)
    .execute(exec)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One job by its key, for inspection.
pub async fn by_dedup_key(db: &Db, dedup_key: &str) -> Result<Option<Job>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM jobs WHERE dedup_key = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(dedup_key)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(job_from_row).transpose()
}

/// The wait before the next attempt after `attempts` failed ones: 30 s, 1 min, 2 min, … 1 h.
pub fn backoff(attempts: i64) -> SignedDuration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let wait = BACKOFF_BASE
        .checked_mul(2_i32.saturating_pow(doublings))
        .unwrap_or(BACKOFF_MAX);
    wait.min(BACKOFF_MAX)
}

fn job_from_row(row: &AnyRow) -> Result<Job, StorageError> {
    let payload: String = row.try_get("payload")?;
    let payload = serde_json::from_str(&payload)
        .map_err(|e| StorageError::Corrupt(format!("job payload is not JSON: {e}")))?;
    let optional_time = |column: &str| -> Result<Option<Timestamp>, StorageError> {
        row.try_get::<Option<i64>, _>(column)?
            .map(rows::from_micros)
            .transpose()
    };
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        dedup_key: row.try_get("dedup_key")?,
        payload,
        run_at: rows::from_micros(row.try_get("run_at")?)?,
        attempts: row.try_get("attempts")?,
        locked_until: optional_time("locked_until")?,
        done_at: optional_time("done_at")?,
        last_error: row.try_get("last_error")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let secs = |n| backoff(n).as_secs();
        assert_eq!(
            [0, 1, 2, 3, 4, 8, 30, i64::MAX].map(secs),
            [30, 30, 60, 120, 240, 3600, 3600, 3600]
        );
    }
}
