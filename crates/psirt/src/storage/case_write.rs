//! Changing cases. Every change runs in the caller's transaction and starts with [`bump`], the
//! optimistic-concurrency check (a stale `version` is a conflict), so the use case can add its
//! audit event to the same transaction.

use jiff::Timestamp;
use sqlx::{Any, AssertSqlSafe, Transaction};

use super::{StorageError, new_id, rows};

pub type Tx<'a> = Transaction<'a, Any>;

/// Case columns that use cases may set one at a time. Only these constant names ever reach SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Title,
    Phase,
    Resolution,
    ResolutionReason,
    DuplicateOf,
    BugReference,
    AssigneeId,
    Grade,
    GradeSource,
    GradeRationale,
    CvssV31,
    CvssV31Score,
    CvssV31Source,
    CvssV31Rationale,
    CvssV40,
    CvssV40Score,
    CvssV40Source,
    CvssV40Rationale,
    Cwe,
    VulnerabilityType,
    ExploitationSource,
    PendingResolution,
    PendingProposerId,
    PendingReason,
    ReleasedById,
    DisclosureApprovedById,
    PostMortem,
    SearchText,
    DeadlineState,
}

/// Flag columns (stored as 0/1, or NULL for "not answered").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    TriageSupported,
    TriageReproducible,
    TriageExploitable,
    WaitingForReporter,
    ThirdParty,
    MarketEu,
    MarketCn,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Title => "title",
            Column::Phase => "phase",
            Column::Resolution => "resolution",
            Column::ResolutionReason => "resolution_reason",
            Column::DuplicateOf => "duplicate_of",
            Column::BugReference => "bug_reference",
            Column::AssigneeId => "assignee_id",
            Column::Grade => "grade",
            Column::GradeSource => "grade_source",
            Column::GradeRationale => "grade_rationale",
            Column::CvssV31 => "cvss_v31",
            Column::CvssV31Score => "cvss_v31_score",
            Column::CvssV31Source => "cvss_v31_source",
            Column::CvssV31Rationale => "cvss_v31_rationale",
            Column::CvssV40 => "cvss_v40",
            Column::CvssV40Score => "cvss_v40_score",
            Column::CvssV40Source => "cvss_v40_source",
            Column::CvssV40Rationale => "cvss_v40_rationale",
            Column::Cwe => "cwe",
            Column::VulnerabilityType => "vulnerability_type",
            Column::ExploitationSource => "exploitation_source",
            Column::PendingResolution => "pending_resolution",
            Column::PendingProposerId => "pending_proposer_id",
            Column::PendingReason => "pending_reason",
            Column::ReleasedById => "released_by_id",
            Column::DisclosureApprovedById => "disclosure_approved_by_id",
            Column::PostMortem => "post_mortem",
            Column::SearchText => "search_text",
            Column::DeadlineState => "deadline_state",
        }
    }
}

impl Flag {
    fn name(self) -> &'static str {
        match self {
            Flag::TriageSupported => "triage_supported",
            Flag::TriageReproducible => "triage_reproducible",
            Flag::TriageExploitable => "triage_exploitable",
            Flag::WaitingForReporter => "waiting_for_reporter",
            Flag::ThirdParty => "third_party",
            Flag::MarketEu => "market_eu",
            Flag::MarketCn => "market_cn",
        }
    }
}

/// Claims the next version of a case; a stale `expected` version is a conflict.
pub async fn bump(
    tx: &mut Tx<'_>,
    case_id: &str,
    expected: i64,
    at: Timestamp,
) -> Result<(), StorageError> {
    let done = sqlx::query(
        "UPDATE cases SET version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2",
    )
    .bind(case_id)
    .bind(expected)
    .bind(rows::micros(at))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 1 {
        Ok(())
    } else {
        Err(StorageError::Stale)
    }
}

pub async fn set(
    tx: &mut Tx<'_>,
    case_id: &str,
    column: Column,
    value: Option<&str>,
) -> Result<(), StorageError> {
    let sql = format!("UPDATE cases SET {} = $1 WHERE id = $2", column.name());
    sqlx::query(AssertSqlSafe(sql))
        .bind(value)
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_flag(
    tx: &mut Tx<'_>,
    case_id: &str,
    flag: Flag,
    value: Option<bool>,
) -> Result<(), StorageError> {
    let sql = format!("UPDATE cases SET {} = $1 WHERE id = $2", flag.name());
    sqlx::query(AssertSqlSafe(sql))
        .bind(value.map(rows::flag))
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn set_next_due(
    tx: &mut Tx<'_>,
    case_id: &str,
    state: &str,
    next_due: Option<Timestamp>,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE cases SET deadline_state = $1, next_due_at = $2 WHERE id = $3")
        .bind(state)
        .bind(next_due.map(rows::micros))
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records when a clock's start event happened; the first record wins.
pub async fn anchor(
    tx: &mut Tx<'_>,
    case_id: &str,
    event: &str,
    at: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO case_anchors (case_id, event, at) VALUES ($1, $2, $3) ON CONFLICT (case_id, event) DO NOTHING")
        .bind(case_id)
        .bind(event)
        .bind(rows::micros(at))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets (or moves) an anchor given by staff, e.g. when exploitation became known.
pub async fn set_anchor(
    tx: &mut Tx<'_>,
    case_id: &str,
    event: &str,
    at: Option<Timestamp>,
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM case_anchors WHERE case_id = $1 AND event = $2")
        .bind(case_id)
        .bind(event)
        .execute(&mut **tx)
        .await?;
    if let Some(at) = at {
        anchor(tx, case_id, event, at).await?;
    }
    Ok(())
}

pub async fn open_pause(tx: &mut Tx<'_>, case_id: &str, at: Timestamp) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO case_pauses (id, case_id, from_at) VALUES ($1, $2, $3)")
        .bind(new_id())
        .bind(case_id)
        .bind(rows::micros(at))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn close_pause(
    tx: &mut Tx<'_>,
    case_id: &str,
    at: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE case_pauses SET until_at = $1 WHERE case_id = $2 AND until_at IS NULL")
        .bind(rows::micros(at))
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Replaces the case's versions of one status (`affected` or `fixed`): `(product, version or
/// range, is a range)`.
pub async fn replace_versions(
    tx: &mut Tx<'_>,
    case_id: &str,
    status: &str,
    versions: &[(String, String, bool)],
) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM case_versions WHERE case_id = $1 AND status = $2")
        .bind(case_id)
        .bind(status)
        .execute(&mut **tx)
        .await?;
    for (product, version, range) in versions {
        sqlx::query(
            "INSERT INTO case_versions (id, case_id, product, version, status, is_range) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (case_id, product, version, status) DO NOTHING",
        )
        .bind(new_id())
        .bind(case_id)
        .bind(product)
        .bind(version)
        .bind(status)
        .bind(rows::flag(*range))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A new task; returns its id.
pub async fn add_task(
    tx: &mut Tx<'_>,
    case_id: &str,
    kind: &str,
    title: &str,
    assignee_id: Option<&str>,
    due_at: Option<Timestamp>,
    at: Timestamp,
) -> Result<String, StorageError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO case_tasks (id, case_id, kind, title, assignee_id, due_at, state, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(kind)
    .bind(title)
    .bind(assignee_id)
    .bind(due_at.map(rows::micros))
    .bind(rows::micros(at))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

pub async fn complete_task(
    tx: &mut Tx<'_>,
    task_id: &str,
    evidence: &str,
    by: &str,
    at: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE case_tasks SET state = 'done', evidence = $1, done_by_id = $2, done_at = $3, verified_by_id = NULL, verified_at = NULL
         WHERE id = $4",
    )
    .bind(evidence)
    .bind(by)
    .bind(rows::micros(at))
    .bind(task_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn verify_task(
    tx: &mut Tx<'_>,
    task_id: &str,
    by: &str,
    at: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE case_tasks SET state = 'verified', verified_by_id = $1, verified_at = $2 WHERE id = $3")
        .bind(by)
        .bind(rows::micros(at))
        .bind(task_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)] // one column each: a struct would only rename them
pub async fn add_extension(
    tx: &mut Tx<'_>,
    case_id: &str,
    milestone: &str,
    original_due: Timestamp,
    new_due: Timestamp,
    reason: &str,
    approver_id: &str,
    at: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO case_extensions (id, case_id, milestone, original_due, new_due, reason, approver_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(case_id)
    .bind(milestone)
    .bind(rows::micros(original_due))
    .bind(rows::micros(new_due))
    .bind(reason)
    .bind(approver_id)
    .bind(rows::micros(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records a breach once; later calls for the same milestone change nothing.
pub async fn record_breach(
    tx: &mut Tx<'_>,
    case_id: &str,
    milestone: &str,
    due_at: Timestamp,
    at: Timestamp,
) -> Result<bool, StorageError> {
    let n = sqlx::query(
        "INSERT INTO case_breaches (case_id, milestone, due_at, recorded_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (case_id, milestone) DO NOTHING",
    )
    .bind(case_id)
    .bind(milestone)
    .bind(rows::micros(due_at))
    .bind(rows::micros(at))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Moves a report into another case (duplicate merge).
pub async fn merge_report(
    tx: &mut Tx<'_>,
    report_id: &str,
    into_case_id: &str,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE reports SET case_id = $1 WHERE id = $2")
        .bind(into_case_id)
        .bind(report_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Records a milestone met by hand; the first record stands.
pub async fn milestone_met(
    tx: &mut Tx<'_>,
    case_id: &str,
    milestone: &str,
    at: Timestamp,
    evidence: &str,
    by: &str,
) -> Result<bool, StorageError> {
    let n = sqlx::query(
        "INSERT INTO case_milestones_met (case_id, milestone, met_at, evidence, by_id) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (case_id, milestone) DO NOTHING",
    )
    .bind(case_id)
    .bind(milestone)
    .bind(rows::micros(at))
    .bind(evidence)
    .bind(by)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(n == 1)
}
