//! The SQLite full-text index of case text, kept outside the transactions that write cases.
//!
//! Indexing a report's text with FTS5's trigram tokenizer costs ~150 µs of SQLite's one write
//! lock, several times the cost of the report's own rows. So a trigger only queues the case's
//! rowid (`cases_fts_queue`, migration 0016) and the indexer here indexes queued cases in its
//! own transactions: at once when intake is quiet, a small slice at a time while intake is
//! busy, so that a burst of reports is committed at the rate of their own rows and indexed
//! just after. Searches never miss meanwhile: queued cases are matched on their current text
//! (see `case_list`). PostgreSQL maintains its GIN index itself; there is nothing to run.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use sqlx::Row;
use tokio::sync::Notify;

use super::{Db, Dialect, StorageError};

/// Cases indexed per transaction when intake is quiet.
const CHUNK: i64 = 256;
/// Cases indexed per slice while intake is busy, and the pause between slices: at ~150 µs per
/// case, about 5 ms of every 100 ms.
const BUSY_CHUNK: i64 = 32;
const BUSY_PAUSE: Duration = Duration::from_millis(100);
/// Intake counts as busy for this long after its last commit.
const BUSY_FOR: Duration = Duration::from_millis(250);
/// Checked at least this often even without a signal (cases changed by other writers).
const IDLE_WAIT: Duration = Duration::from_millis(500);

/// What intake tells the indexer: "I just committed" (wakes it, and marks intake busy).
#[derive(Debug, Clone)]
pub struct IndexSignal {
    inner: Arc<SignalInner>,
}

#[derive(Debug)]
struct SignalInner {
    notify: Notify,
    started: Instant,
    /// Milliseconds after `started` of intake's last commit, plus one (0 = never).
    last_commit: AtomicU64,
}

impl Default for IndexSignal {
    fn default() -> Self {
        Self {
            inner: Arc::new(SignalInner {
                notify: Notify::new(),
                started: Instant::now(),
                last_commit: AtomicU64::new(0),
            }),
        }
    }
}

impl IndexSignal {
    /// Called by intake after each commit.
    pub fn committed(&self) {
        let now = self.inner.started.elapsed().as_millis();
        self.inner.last_commit.store(
            u64::try_from(now).unwrap_or(u64::MAX).saturating_add(1),
            Ordering::Relaxed,
        );
        self.inner.notify.notify_one();
    }

    fn intake_busy(&self) -> bool {
        let last = self.inner.last_commit.load(Ordering::Relaxed);
        if last == 0 {
            return false;
        }
        let now = u64::try_from(self.inner.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        now.saturating_add(1).saturating_sub(last)
            < u64::try_from(BUSY_FOR.as_millis()).unwrap_or(0)
    }
}

/// Runs the indexer until the pool closes (SQLite only; returns at once for PostgreSQL).
pub async fn run_indexer(db: Db, signal: IndexSignal) {
    if db.dialect() != Dialect::Sqlite {
        return;
    }
    loop {
        if db.pool().is_closed() {
            return;
        }
        let busy = signal.intake_busy();
        let limit = if busy { BUSY_CHUNK } else { CHUNK };
        match index_pending(&db, limit).await {
            Ok(done) if done == limit => {
                if busy {
                    tokio::time::sleep(BUSY_PAUSE).await;
                } else {
                    tokio::task::yield_now().await;
                }
            }
            Ok(_) => {
                let _ = tokio::time::timeout(IDLE_WAIT, signal.inner.notify.notified()).await;
            }
            Err(error) => {
                if db.pool().is_closed() {
                    return;
                }
                tracing::warn!(%error, "full-text indexing failed; retrying");
                tokio::time::sleep(IDLE_WAIT).await;
            }
        }
    }
}

/// Indexes up to `limit` queued cases in one transaction; returns how many queue entries it
/// took. A case queued several times is indexed once, with its current text; a deleted case
/// leaves the index. Nothing to do on PostgreSQL (0).
pub async fn index_pending(db: &Db, limit: i64) -> Result<i64, StorageError> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(0);
    }
    // IMMEDIATE: take the write lock before reading the queue, so that no commit by intake
    // between the read and the first write can invalidate the read (SQLite would refuse it).
    let mut tx = db.pool().begin_with("BEGIN IMMEDIATE").await?;
    let rows = sqlx::query(
        "SELECT q.seq, q.case_rowid, c.search_text FROM cases_fts_queue q
         LEFT JOIN cases c ON c.rowid = q.case_rowid
         ORDER BY q.seq LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *tx)
    .await?;
    let Some(last) = rows.last() else {
        return Ok(0);
    };
    let last_seq: i64 = last.try_get(0)?;
    let mut cases: Vec<(i64, Option<String>)> = Vec::with_capacity(rows.len());
    for row in &rows {
        let rowid: i64 = row.try_get(1)?;
        if !cases.iter().any(|(r, _)| *r == rowid) {
            cases.push((rowid, row.try_get(2)?));
        }
    }
    for (rowid, text) in &cases {
        sqlx::query("DELETE FROM cases_fts WHERE rowid = $1")
            .bind(*rowid)
            .execute(&mut *tx)
            .await?;
        if let Some(text) = text {
            sqlx::query("INSERT INTO cases_fts (rowid, search_text) VALUES ($1, $2)")
                .bind(*rowid)
                .bind(text.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    sqlx::query("DELETE FROM cases_fts_queue WHERE seq <= $1")
        .bind(last_seq)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(i64::try_from(rows.len()).unwrap_or(i64::MAX))
}

/// How many case changes wait to be indexed (0 on PostgreSQL).
pub async fn pending(db: &Db) -> Result<i64, StorageError> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(0);
    }
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM cases_fts_queue")
        .fetch_one(db.pool())
        .await?)
}
