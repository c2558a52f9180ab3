//! Aggregates for the staff dashboard, under the same need-to-know predicate as the case list:
//! counts by phase and grade, cases opened and closed per week, the durations behind the
//! time-to-acknowledge and time-to-fix charts, and deadline compliance.

use jiff::Timestamp;
use sqlx::{AssertSqlSafe, Row};

use super::{Db, StorageError, cases::case_visible, reports::Viewer, rows};

const WEEK_MICROS: i64 = 7 * 24 * 3600 * 1_000_000;

/// `(phase, grade, count)` of every visible case.
pub async fn counts(
    db: &Db,
    viewer: Viewer<'_>,
) -> Result<Vec<(String, Option<String>, i64)>, StorageError> {
    let sql = format!(
        "SELECT c.phase, c.grade, COUNT(*) FROM cases c WHERE {} GROUP BY c.phase, c.grade",
        case_visible!()
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(rows::flag(viewer.sees_all))
        .bind(viewer.user_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Cases opened and closed in each of `weeks` weeks ending at `now` (oldest first).
pub async fn weekly(
    db: &Db,
    viewer: Viewer<'_>,
    now: Timestamp,
    weeks: i64,
) -> Result<Vec<(i64, i64)>, StorageError> {
    let since = rows::micros(now) - weeks * WEEK_MICROS;
    let mut out = vec![(0_i64, 0_i64); usize::try_from(weeks).unwrap_or(0)];
    for (column, closed) in [("c.opened_at", false), ("c.updated_at", true)] {
        let extra = if closed {
            " AND c.phase = 'closed'"
        } else {
            ""
        };
        let sql = format!(
            "SELECT ({column} - $3) / $4 AS w, COUNT(*) FROM cases c WHERE {} AND {column} >= $3{extra} GROUP BY ({column} - $3) / $4",
            case_visible!()
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(rows::flag(viewer.sees_all))
            .bind(viewer.user_id)
            .bind(since)
            .bind(WEEK_MICROS)
            .fetch_all(db.pool())
            .await?;
        for r in rows {
            let week: i64 = r.try_get(0)?;
            let n: i64 = r.try_get(1)?;
            if let Some(slot) = usize::try_from(week).ok().and_then(|w| out.get_mut(w)) {
                if closed { slot.1 += n } else { slot.0 += n }
            }
        }
    }
    Ok(out)
}

/// Hours from one case event to another, per week of the first event (for cases opened since `since`).
pub async fn durations(
    db: &Db,
    viewer: Viewer<'_>,
    from: &str,
    to: &str,
    since: Timestamp,
) -> Result<Vec<(Timestamp, f64)>, StorageError> {
    let start = if from == "received" {
        "c.opened_at"
    } else {
        "a.at"
    };
    let join = if from == "received" {
        ""
    } else {
        " JOIN case_anchors a ON a.case_id = c.id AND a.event = $3"
    };
    let sql = format!(
        "SELECT {start}, b.at FROM cases c{join} JOIN case_anchors b ON b.case_id = c.id AND b.event = $4
         WHERE {} AND c.opened_at >= $5 ORDER BY {start} LIMIT 5000",
        case_visible!()
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(rows::flag(viewer.sees_all))
        .bind(viewer.user_id)
        .bind(from)
        .bind(to)
        .bind(rows::micros(since))
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            let a: i64 = r.try_get(0)?;
            let b: i64 = r.try_get(1)?;
            Ok((rows::from_micros(a)?, (b - a) as f64 / 3.6e9))
        })
        .collect()
}

/// `(cases with a clock, cases ever breached)` among visible cases opened since `since`.
pub async fn compliance(
    db: &Db,
    viewer: Viewer<'_>,
    since: Timestamp,
) -> Result<(i64, i64), StorageError> {
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM case_breaches b WHERE b.case_id = c.id) THEN 1 ELSE 0 END), 0)
         FROM cases c WHERE {} AND c.opened_at >= $3",
        case_visible!()
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(rows::flag(viewer.sees_all))
        .bind(viewer.user_id)
        .bind(rows::micros(since))
        .fetch_one(db.pool())
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}
