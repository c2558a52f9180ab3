//! Tasks of a case: added by coordinators, worked with evidence, and — for the fix — signed off
//! by QA. A fix is not "done" for the lifecycle until QA verified it.

use jiff::Timestamp;
use psirt_domain::case::{Permission, TaskKind};
use serde::Deserialize;

use super::{
    deadlines::{commit_and_refresh, invalid},
    load,
    view::{self, CaseView},
};
use crate::{
    app::{App, AppError, Staff},
    storage::{StorageError, audit, case_write, users},
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskRequest {
    pub version: i64,
    /// `fix`, `regression_test`, `penetration_test`, `qa_verification`, `disposal` or `other`.
    pub kind: String,
    pub title: String,
    /// Staff e-mail.
    pub assignee: Option<String>,
    /// RFC 3339.
    pub due_at: Option<String>,
}

/// Record work on a task: `done` with evidence, or `verified` (QA sign-off).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskUpdate {
    pub version: i64,
    /// `done` or `verified`.
    pub state: String,
    /// What was done and how it was tested (required for `done`).
    pub evidence: Option<String>,
}

pub async fn add_task(
    app: &App,
    staff: &Staff,
    reference: &str,
    req: TaskRequest,
) -> Result<CaseView, AppError> {
    if !staff.role.may(Permission::Coordinate) {
        return Err(AppError::Forbidden("your role may not add tasks"));
    }
    let case = load::visible(app, staff, reference).await?;
    let now = app.clock.now();
    let kind: TaskKind = req
        .kind
        .parse()
        .map_err(|e: psirt_domain::case::UnknownTaskKind| invalid("kind", &e.to_string()))?;
    let title = req.title.trim();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(invalid("title", "one line of 1 to 300 characters"));
    }
    let due = match req.due_at.as_deref() {
        Some(t) => Some(
            t.parse::<Timestamp>()
                .map_err(|_| invalid("due_at", "expected an RFC 3339 time"))?,
        ),
        None => None,
    };
    let assignee = match req.assignee.as_deref() {
        Some(email) => Some(
            users::by_email(&app.db, email)
                .await?
                .ok_or_else(|| invalid("assignee", "no such staff member"))?
                .id,
        ),
        None => None,
    };
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    case_write::bump(&mut tx, &case.row.id, req.version, now).await?;
    let task_id = case_write::add_task(
        &mut tx,
        &case.row.id,
        kind.as_str(),
        title,
        assignee.as_deref(),
        due,
        now,
    )
    .await?;
    let detail = serde_json::json!({"task": task_id, "kind": kind.as_str(), "title": title});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "case.task.add",
            case_id: Some(&case.row.id),
            detail,
        },
    )
    .await?;
    let after = commit_and_refresh(app, tx, &case.row.id, now).await?;
    view::case_view(app, staff, after, now).await
}

pub async fn update_task(
    app: &App,
    staff: &Staff,
    reference: &str,
    task_id: &str,
    req: TaskUpdate,
    files: Vec<crate::storage::PendingAttachment>,
) -> Result<CaseView, AppError> {
    let case = load::visible(app, staff, reference).await?;
    let now = app.clock.now();
    let task = case
        .tasks
        .iter()
        .find(|t| t.id == task_id)
        .ok_or(AppError::NotFound)?;
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    case_write::bump(&mut tx, &case.row.id, req.version, now).await?;
    let action = match req.state.as_str() {
        "done" => {
            if !staff.role.may(Permission::WorkTasks) {
                return Err(AppError::Forbidden("your role may not work on tasks"));
            }
            let evidence = req
                .evidence
                .as_deref()
                .map(str::trim)
                .filter(|e| !e.is_empty());
            let Some(evidence) = evidence else {
                return Err(invalid(
                    "evidence",
                    "say what was done and how it was checked",
                ));
            };
            case_write::complete_task(&mut tx, task_id, evidence, &staff.user_id, now).await?;
            crate::storage::reports::insert_task_attachments(
                &mut tx,
                &case.row.id,
                task_id,
                &files,
                now,
            )
            .await?;
            "case.task.done"
        }
        "verified" if !files.is_empty() => {
            return Err(invalid(
                "attachments",
                "files are evidence of the work: attach them when marking the task done",
            ));
        }
        "verified" => {
            if !staff.role.may(Permission::Verify) {
                return Err(AppError::Forbidden("only QA may verify a task"));
            }
            if task.state != "done" {
                return Err(AppError::Conflict(
                    "only a task marked done (with evidence) can be verified".into(),
                ));
            }
            if task.done_by_id.as_deref() == Some(staff.user_id.as_str()) {
                return Err(AppError::Conflict(
                    "the person who did the work cannot verify it".into(),
                ));
            }
            case_write::verify_task(&mut tx, task_id, &staff.user_id, now).await?;
            "case.task.verified"
        }
        _ => return Err(invalid("state", "expected done or verified")),
    };
    let detail =
        serde_json::json!({"task": task_id, "before": task.state, "evidence": req.evidence});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action,
            case_id: Some(&case.row.id),
            detail,
        },
    )
    .await?;
    let after = commit_and_refresh(app, tx, &case.row.id, now).await?;
    view::case_view(app, staff, after, now).await
}
