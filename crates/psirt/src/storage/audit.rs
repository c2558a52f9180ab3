//! The audit trail: append-only and hash-chained. Each event's hash covers the previous hash and
//! the event's own fields, and `audit_head` holds the tip, so editing, deleting or inserting a
//! row anywhere is detected by [`verify`]. Events are appended inside the transaction of the
//! change they record.

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use super::{Db, StorageError, rows};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// User id, `reporter`, or `system`.
    pub actor: &'a str,
    /// Dotted name, e.g. `case.action.confirm`, `case.read`.
    pub action: &'a str,
    pub case_id: Option<&'a str>,
    /// Before/after values and parameters, as JSON.
    pub detail: serde_json::Value,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredEvent {
    pub seq: i64,
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub case_id: Option<String>,
    pub detail: serde_json::Value,
    pub hash: String,
}

fn event_hash(
    prev: &str,
    seq: i64,
    at: i64,
    actor: &str,
    action: &str,
    case_id: Option<&str>,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &seq.to_string(),
        &at.to_string(),
        actor,
        action,
        case_id.unwrap_or(""),
        detail,
    ] {
        h.update(part.len().to_le_bytes());
        h.update(part.as_bytes());
    }
    data_encoding::HEXLOWER.encode(&h.finalize())
}

/// Appends one event in the caller's transaction (serialised on the chain's head row).
pub async fn append(
    tx: &mut Transaction<'_, Any>,
    at: Timestamp,
    event: NewEvent<'_>,
) -> Result<(), StorageError> {
    let row = sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await?;
    let seq: i64 = row.try_get(0)?;
    let prev: String = row.try_get(1)?;
    let at = rows::micros(at);
    let detail = event.detail.to_string();
    let hash = event_hash(
        &prev,
        seq,
        at,
        event.actor,
        event.action,
        event.case_id,
        &detail,
    );
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor, action, case_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(seq)
    .bind(at)
    .bind(event.actor)
    .bind(event.action)
    .bind(event.case_id)
    .bind(detail)
    .bind(prev)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Appends `events` in order in the caller's transaction with a constant number of statements:
/// the head is advanced once, the hashes are chained here exactly as [`append`] chains them,
/// the events are written with multi-row INSERTs and the head's hash is written once.
pub async fn append_many(
    tx: &mut Transaction<'_, Any>,
    events: &[(Timestamp, NewEvent<'_>)],
) -> Result<(), StorageError> {
    let Ok(count) = i64::try_from(events.len()) else {
        return Err(StorageError::Corrupt("too many audit events".into()));
    };
    if count == 0 {
        return Ok(());
    }
    let row = sqlx::query("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash")
        .bind(count)
        .fetch_one(&mut **tx)
        .await?;
    let last: i64 = row.try_get(0)?;
    let mut prev: String = row.try_get(1)?;
    let mut chained = Vec::with_capacity(events.len());
    for (seq, (at, event)) in (last - count + 1..).zip(events) {
        let at = rows::micros(*at);
        let detail = event.detail.to_string();
        let hash = event_hash(
            &prev,
            seq,
            at,
            event.actor,
            event.action,
            event.case_id,
            &detail,
        );
        let prev_hash = std::mem::replace(&mut prev, hash.clone());
        chained.push((seq, at, event, detail, prev_hash, hash));
    }
    super::batch::insert_rows(
        tx,
        "INSERT INTO audit_events (seq, at, actor, action, case_id, detail, prev_hash, hash) VALUES ",
        "($1, $2, $3, $4, $5, $6, $7, $8)",
        8,
        "",
        &chained,
        |q, (seq, at, event, detail, prev_hash, hash)| {
            q.bind(*seq)
                .bind(*at)
                .bind(event.actor)
                .bind(event.action)
                .bind(event.case_id)
                .bind(detail.as_str())
                .bind(prev_hash.as_str())
                .bind(hash.as_str())
        },
    )
    .await?;
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Appends one event in its own transaction (for reads, which change nothing else).
pub async fn record(db: &Db, at: Timestamp, event: NewEvent<'_>) -> Result<(), StorageError> {
    let mut tx = db.pool().begin().await?;
    append(&mut tx, at, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The events of one case, oldest first.
pub async fn for_case(db: &Db, case_id: &str) -> Result<Vec<StoredEvent>, StorageError> {
    let rows = sqlx::query("SELECT seq, at, actor, action, case_id, detail, hash FROM audit_events WHERE case_id = $1 ORDER BY seq")
        .bind(case_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            let detail: String = r.try_get("detail")?;
            Ok(StoredEvent {
                seq: r.try_get("seq")?,
                at: rows::from_micros(r.try_get("at")?)?,
                actor: r.try_get("actor")?,
                action: r.try_get("action")?,
                case_id: r.try_get("case_id")?,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
                hash: r.try_get("hash")?,
            })
        })
        .collect()
}

/// The outcome of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every event links to the previous one and the head matches the last.
    Intact { events: i64 },
    /// The first event (by sequence number) where the chain breaks, and why.
    Broken { seq: i64, reason: String },
}

/// Recomputes the chain from the first event to the head.
pub async fn verify(db: &Db) -> Result<Verification, StorageError> {
    let rows = sqlx::query("SELECT seq, at, actor, action, case_id, detail, prev_hash, hash FROM audit_events ORDER BY seq")
        .fetch_all(db.pool())
        .await?;
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1_i64;
    for r in &rows {
        let seq: i64 = r.try_get("seq")?;
        if seq != expected_seq {
            return Ok(Verification::Broken {
                seq: expected_seq,
                reason: format!("event {expected_seq} is missing"),
            });
        }
        let prev_hash: String = r.try_get("prev_hash")?;
        let hash: String = r.try_get("hash")?;
        if prev_hash != prev {
            return Ok(Verification::Broken {
                seq,
                reason: "does not link to the previous event".into(),
            });
        }
        let case_id: Option<String> = r.try_get("case_id")?;
        let actor: String = r.try_get("actor")?;
        let action: String = r.try_get("action")?;
        let detail: String = r.try_get("detail")?;
        let recomputed = event_hash(
            &prev,
            seq,
            r.try_get("at")?,
            &actor,
            &action,
            case_id.as_deref(),
            &detail,
        );
        if recomputed != hash {
            return Ok(Verification::Broken {
                seq,
                reason: "its content was changed after it was written".into(),
            });
        }
        prev = hash;
        expected_seq += 1;
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(db.pool())
        .await?;
    let head_seq: i64 = head.try_get(0)?;
    let head_hash: String = head.try_get(1)?;
    if head_seq != expected_seq - 1 || head_hash != prev {
        return Ok(Verification::Broken {
            seq: expected_seq,
            reason: format!(
                "the chain ends at event {} but its head records event {head_seq}",
                expected_seq - 1
            ),
        });
    }
    Ok(Verification::Intact {
        events: expected_seq - 1,
    })
}
