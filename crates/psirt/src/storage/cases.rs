//! Reading cases and what hangs off them (clock anchors, pauses, versions, tasks, extensions,
//! breaches). Need-to-know is enforced in every query through the same predicate as reports:
//! a case is visible with `SeeAll`, through a grant on the case or its product, or once disclosed.

use jiff::Timestamp;
use sqlx::{Row, any::AnyRow};

use super::{Db, StorageError, reports::Viewer, rows};

/// A case as stored (one row of `cases`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseRow {
    pub id: String,
    pub reference: String,
    pub version: i64,
    pub phase: String,
    pub resolution: Option<String>,
    pub resolution_reason: Option<String>,
    pub duplicate_of: Option<String>,
    pub bug_reference: Option<String>,
    pub policy_id: String,
    pub title: String,
    pub product_id: Option<String>,
    pub product: Option<String>,
    pub assignee_id: Option<String>,
    pub grade: Option<String>,
    pub grade_source: Option<String>,
    pub grade_rationale: Option<String>,
    pub cvss_v31: Option<String>,
    pub cvss_v31_score: Option<String>,
    pub cvss_v31_source: Option<String>,
    pub cvss_v31_rationale: Option<String>,
    pub cvss_v40: Option<String>,
    pub cvss_v40_score: Option<String>,
    pub cvss_v40_source: Option<String>,
    pub cvss_v40_rationale: Option<String>,
    pub cwe: Option<String>,
    pub vulnerability_type: Option<String>,
    pub triage_supported: Option<bool>,
    pub triage_reproducible: Option<bool>,
    pub triage_exploitable: Option<bool>,
    pub waiting_for_reporter: bool,
    pub third_party: bool,
    pub market_eu: bool,
    pub market_cn: bool,
    pub exploitation_source: Option<String>,
    pub pending_resolution: Option<String>,
    pub pending_proposer_id: Option<String>,
    pub pending_reason: Option<String>,
    pub released_by_id: Option<String>,
    pub disclosure_approved_by_id: Option<String>,
    pub post_mortem: Option<String>,
    pub deadline_state: String,
    pub next_due_at: Option<Timestamp>,
    pub opened_at: Timestamp,
    pub updated_at: Timestamp,
}

macro_rules! case_columns {
    () => {
        "c.id, c.reference, c.version, c.phase, c.resolution, c.resolution_reason, c.duplicate_of, c.bug_reference,
         c.policy_id, c.title, c.product_id, c.product, c.assignee_id, c.grade, c.grade_source, c.grade_rationale,
         c.cvss_v31, c.cvss_v31_score, c.cvss_v31_source, c.cvss_v31_rationale, c.cvss_v40, c.cvss_v40_score,
         c.cvss_v40_source, c.cvss_v40_rationale, c.cwe, c.vulnerability_type, c.triage_supported,
         c.triage_reproducible, c.triage_exploitable, c.waiting_for_reporter, c.third_party, c.market_eu, c.market_cn,
         c.exploitation_source, c.pending_resolution, c.pending_proposer_id, c.pending_reason, c.released_by_id,
         c.disclosure_approved_by_id, c.post_mortem, c.deadline_state, c.next_due_at, c.opened_at, c.updated_at"
    };
}

/// Need-to-know for a viewer without `SeeAll`, whose user id is the placeholder `$user`: disclosed
/// cases, and cases granted to them or about a product granted to them. The grants are
/// uncorrelated `IN` subqueries, read once per query, not an `EXISTS` per case row: with
/// 100,000 cases the per-row form dominated an RD user's list and count (docs/PERFORMANCE.md).
macro_rules! case_granted {
    ($user:literal) => {
        concat!(
            "(c.phase IN ('disclosed', 'post_release') OR (c.phase = 'closed' AND c.resolution = 'fixed')
              OR c.id IN (SELECT g.report_id FROM grants g WHERE g.user_id = ",
            $user,
            " AND g.report_id IS NOT NULL)
              OR c.product_id IN (SELECT g.product_id FROM grants g WHERE g.user_id = ",
            $user,
            " AND g.product_id IS NOT NULL))"
        )
    };
}
/// Need-to-know for cases: `$1` = sees all (0/1), `$2` = the viewer's user id.
macro_rules! case_visible {
    () => {
        concat!(
            "($1 = 1 OR ",
            $crate::storage::cases::case_granted!("$2"),
            ")"
        )
    };
}
pub(crate) use case_granted;
pub(crate) use case_visible;

pub async fn by_reference(
    db: &Db,
    viewer: Viewer<'_>,
    reference: &str,
) -> Result<Option<CaseRow>, StorageError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        case_columns!(),
        " FROM cases c WHERE ",
        case_visible!(),
        " AND c.reference = $3"
    ))
    .bind(rows::flag(viewer.sees_all))
    .bind(viewer.user_id)
    .bind(reference)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(case_from_row).transpose()
}

/// A case by id without a visibility check: for the system (scheduler) and for use cases that
/// already checked visibility.
pub async fn by_id(db: &Db, id: &str) -> Result<Option<CaseRow>, StorageError> {
    let row = sqlx::query(concat!(
        "SELECT ",
        case_columns!(),
        " FROM cases c WHERE c.id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(case_from_row).transpose()
}

fn opt_flag(row: &AnyRow, col: &str) -> Result<Option<bool>, sqlx::Error> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(|v| v != 0))
}

pub(crate) fn case_from_row(row: &AnyRow) -> Result<CaseRow, StorageError> {
    let flag = |col: &str| -> Result<bool, sqlx::Error> { Ok(row.try_get::<i64, _>(col)? != 0) };
    Ok(CaseRow {
        id: row.try_get("id")?,
        reference: row.try_get("reference")?,
        version: row.try_get("version")?,
        phase: row.try_get("phase")?,
        resolution: row.try_get("resolution")?,
        resolution_reason: row.try_get("resolution_reason")?,
        duplicate_of: row.try_get("duplicate_of")?,
        bug_reference: row.try_get("bug_reference")?,
        policy_id: row.try_get("policy_id")?,
        title: row.try_get("title")?,
        product_id: row.try_get("product_id")?,
        product: row.try_get("product")?,
        assignee_id: row.try_get("assignee_id")?,
        grade: row.try_get("grade")?,
        grade_source: row.try_get("grade_source")?,
        grade_rationale: row.try_get("grade_rationale")?,
        cvss_v31: row.try_get("cvss_v31")?,
        cvss_v31_score: row.try_get("cvss_v31_score")?,
        cvss_v31_source: row.try_get("cvss_v31_source")?,
        cvss_v31_rationale: row.try_get("cvss_v31_rationale")?,
        cvss_v40: row.try_get("cvss_v40")?,
        cvss_v40_score: row.try_get("cvss_v40_score")?,
        cvss_v40_source: row.try_get("cvss_v40_source")?,
        cvss_v40_rationale: row.try_get("cvss_v40_rationale")?,
        cwe: row.try_get("cwe")?,
        vulnerability_type: row.try_get("vulnerability_type")?,
        triage_supported: opt_flag(row, "triage_supported")?,
        triage_reproducible: opt_flag(row, "triage_reproducible")?,
        triage_exploitable: opt_flag(row, "triage_exploitable")?,
        waiting_for_reporter: flag("waiting_for_reporter")?,
        third_party: flag("third_party")?,
        market_eu: flag("market_eu")?,
        market_cn: flag("market_cn")?,
        exploitation_source: row.try_get("exploitation_source")?,
        pending_resolution: row.try_get("pending_resolution")?,
        pending_proposer_id: row.try_get("pending_proposer_id")?,
        pending_reason: row.try_get("pending_reason")?,
        released_by_id: row.try_get("released_by_id")?,
        disclosure_approved_by_id: row.try_get("disclosure_approved_by_id")?,
        post_mortem: row.try_get("post_mortem")?,
        deadline_state: row.try_get("deadline_state")?,
        next_due_at: row
            .try_get::<Option<i64>, _>("next_due_at")?
            .map(rows::from_micros)
            .transpose()?,
        opened_at: rows::from_micros(row.try_get("opened_at")?)?,
        updated_at: rows::from_micros(row.try_get("updated_at")?)?,
    })
}

/// Clock anchors of a case: `(event, at)`.
pub async fn anchors(db: &Db, case_id: &str) -> Result<Vec<(String, Timestamp)>, StorageError> {
    let rows = sqlx::query("SELECT event, at FROM case_anchors WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, rows::from_micros(r.try_get(1)?)?)))
        .collect()
}

/// Waiting-for-reporter intervals: `(from, until)`.
pub async fn pauses(
    db: &Db,
    case_id: &str,
) -> Result<Vec<(Timestamp, Option<Timestamp>)>, StorageError> {
    let rows = sqlx::query(
        "SELECT from_at, until_at FROM case_pauses WHERE case_id = $1 ORDER BY from_at",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                rows::from_micros(r.try_get(0)?)?,
                r.try_get::<Option<i64>, _>(1)?
                    .map(rows::from_micros)
                    .transpose()?,
            ))
        })
        .collect()
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct VersionRow {
    pub product: String,
    pub version: String,
    /// `affected` or `fixed`.
    pub status: String,
    /// `version` is a range (`>= 1.2.0, < 1.4.1`) read under the product's version order.
    pub range: bool,
}

pub async fn versions(db: &Db, case_id: &str) -> Result<Vec<VersionRow>, StorageError> {
    let rows = sqlx::query("SELECT product, version, status, is_range FROM case_versions WHERE case_id = $1 ORDER BY status, product, version")
        .bind(case_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(VersionRow {
                product: r.try_get(0)?,
                version: r.try_get(1)?,
                status: r.try_get(2)?,
                range: r.try_get::<i64, _>(3)? == 1,
            })
        })
        .collect()
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub assignee_id: Option<String>,
    pub due_at: Option<Timestamp>,
    pub state: String,
    pub evidence: Option<String>,
    pub done_by_id: Option<String>,
    pub done_at: Option<Timestamp>,
    pub verified_by_id: Option<String>,
    pub verified_at: Option<Timestamp>,
}

pub async fn tasks(db: &Db, case_id: &str) -> Result<Vec<TaskRow>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, kind, title, assignee_id, due_at, state, evidence, done_by_id, done_at, verified_by_id, verified_at
         FROM case_tasks WHERE case_id = $1 ORDER BY created_at, id",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    let ts = |r: &AnyRow, c: &str| -> Result<Option<Timestamp>, StorageError> {
        r.try_get::<Option<i64>, _>(c)?
            .map(rows::from_micros)
            .transpose()
    };
    rows.iter()
        .map(|r| {
            Ok(TaskRow {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                assignee_id: r.try_get("assignee_id")?,
                due_at: ts(r, "due_at")?,
                state: r.try_get("state")?,
                evidence: r.try_get("evidence")?,
                done_by_id: r.try_get("done_by_id")?,
                done_at: ts(r, "done_at")?,
                verified_by_id: r.try_get("verified_by_id")?,
                verified_at: ts(r, "verified_at")?,
            })
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct ExtensionRow {
    pub milestone: String,
    pub original_due: Timestamp,
    pub new_due: Timestamp,
    pub reason: String,
    pub approver_id: String,
}

pub async fn extensions(db: &Db, case_id: &str) -> Result<Vec<ExtensionRow>, StorageError> {
    let rows = sqlx::query(
        "SELECT milestone, original_due, new_due, reason, approver_id FROM case_extensions WHERE case_id = $1 ORDER BY created_at",
    )
    .bind(case_id)
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ExtensionRow {
                milestone: r.try_get(0)?,
                original_due: rows::from_micros(r.try_get(1)?)?,
                new_due: rows::from_micros(r.try_get(2)?)?,
                reason: r.try_get(3)?,
                approver_id: r.try_get(4)?,
            })
        })
        .collect()
}

/// Milestones recorded as breached: `(milestone, due_at, recorded_at)`.
pub async fn breaches(
    db: &Db,
    case_id: &str,
) -> Result<Vec<(String, Timestamp, Timestamp)>, StorageError> {
    let rows =
        sqlx::query("SELECT milestone, due_at, recorded_at FROM case_breaches WHERE case_id = $1")
            .bind(case_id)
            .fetch_all(db.pool())
            .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(0)?,
                rows::from_micros(r.try_get(1)?)?,
                rows::from_micros(r.try_get(2)?)?,
            ))
        })
        .collect()
}

/// Milestones recorded as met by hand: `(milestone, met_at)`.
pub async fn milestones_met(
    db: &Db,
    case_id: &str,
) -> Result<Vec<(String, Timestamp)>, StorageError> {
    let rows = sqlx::query("SELECT milestone, met_at FROM case_milestones_met WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(db.pool())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, rows::from_micros(r.try_get(1)?)?)))
        .collect()
}

/// Ids of cases not closed without a fix whose next open due time is before `horizon`.
pub async fn open_due_before(db: &Db, horizon: Timestamp) -> Result<Vec<String>, StorageError> {
    let rows = sqlx::query(
        "SELECT id FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= $1
           AND (phase <> 'closed' OR resolution = 'fixed') ORDER BY next_due_at",
    )
    .bind(rows::micros(horizon))
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
