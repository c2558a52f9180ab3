//! Lifecycle actions (`POST /api/v1/cases/{reference}/actions/{action}`): the domain decides,
//! this applies the transition in one transaction with its audit event and its side effects
//! (tasks at remediation, the reporter told of outcomes, duplicates merged).

use jiff::Timestamp;
use psirt_domain::{
    case::{Action, Resolution, TaskKind, transition},
    policy::StartEvent,
};
use serde::Deserialize;

use super::{
    deadlines::{self, commit_and_refresh, invalid},
    load::{self, Loaded},
    view::{self, CaseView},
};
use crate::{
    app::{App, AppError, Staff},
    storage::{
        StorageError, audit,
        case_write::{self, Column, Flag, Tx},
        reports::{self, MessageAuthor},
    },
};

/// Parameters of an action. `version` is the case version the client read (stale → 409).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionRequest {
    pub version: i64,
    /// Required for outcomes without a fix, for rejecting a decision and for asking the reporter.
    pub reason: Option<String>,
    /// `mark_duplicate`: the reference of the original case.
    pub duplicate_of: Option<String>,
    /// `propose_not_security_issue`: the ordinary bug it becomes.
    pub bug_reference: Option<String>,
}

pub async fn act(
    app: &App,
    staff: &Staff,
    reference: &str,
    action: &str,
    req: ActionRequest,
) -> Result<CaseView, AppError> {
    let action: Action = action
        .parse()
        .map_err(|e: psirt_domain::case::UnknownAction| invalid("action", &e.to_string()))?;
    let case = load::visible(app, staff, reference).await?;
    let now = app.clock.now();
    let reason = req
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let t = transition(
        &case.state(),
        action,
        &staff.user_id,
        staff.role,
        reason,
        case.row.released_by_id.as_deref(),
    )?;
    let original = match action {
        Action::MarkDuplicate => {
            Some(original_case(app, staff, &case, req.duplicate_of.as_deref()).await?)
        }
        _ => None,
    };
    let bug = req
        .bug_reference
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty());
    if action == Action::ProposeNotSecurityIssue && bug.is_none() {
        return Err(invalid(
            "bug_reference",
            "name the ordinary bug this report becomes",
        ));
    }

    let id = case.row.id.as_str();
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    case_write::bump(&mut tx, id, req.version, now).await?;
    if t.phase != case.phase() {
        case_write::set(&mut tx, id, Column::Phase, Some(t.phase.as_str())).await?;
    }
    if let Some(event) = t.event {
        case_write::anchor(&mut tx, id, event.as_str(), now).await?;
    }
    match t.waiting_for_reporter {
        Some(true) => {
            case_write::set_flag(&mut tx, id, Flag::WaitingForReporter, Some(true)).await?;
            case_write::open_pause(&mut tx, id, now).await?;
        }
        Some(false) => {
            case_write::set_flag(&mut tx, id, Flag::WaitingForReporter, Some(false)).await?;
            case_write::close_pause(&mut tx, id, now).await?;
        }
        None => {}
    }
    match &t.pending_decision {
        Some(Some(pending)) => {
            case_write::set(
                &mut tx,
                id,
                Column::PendingResolution,
                Some(pending.resolution.as_str()),
            )
            .await?;
            case_write::set(&mut tx, id, Column::PendingProposerId, Some(&staff.user_id)).await?;
            case_write::set(&mut tx, id, Column::PendingReason, reason).await?;
            if let Some(bug) = bug {
                case_write::set(&mut tx, id, Column::BugReference, Some(bug)).await?;
            }
        }
        Some(None) => {
            for column in [
                Column::PendingResolution,
                Column::PendingProposerId,
                Column::PendingReason,
            ] {
                case_write::set(&mut tx, id, column, None).await?;
            }
        }
        None => {}
    }
    if let Some(resolution) = t.resolution {
        case_write::set(&mut tx, id, Column::Resolution, Some(resolution.as_str())).await?;
        let why = match action {
            Action::ApproveDecision => case.row.pending_reason.as_deref(),
            _ => reason,
        };
        case_write::set(&mut tx, id, Column::ResolutionReason, why).await?;
        if case.row.waiting_for_reporter {
            case_write::set_flag(&mut tx, id, Flag::WaitingForReporter, Some(false)).await?;
            case_write::close_pause(&mut tx, id, now).await?;
        }
    }
    if let Some(original) = &original {
        case_write::set(
            &mut tx,
            id,
            Column::DuplicateOf,
            Some(&original.row.reference),
        )
        .await?;
        case_write::merge_report(&mut tx, id, &original.row.id).await?;
    }
    if action == Action::Release {
        case_write::set(&mut tx, id, Column::ReleasedById, Some(&staff.user_id)).await?;
        case_write::set(&mut tx, id, Column::DisclosureApprovedById, None).await?;
    }
    if t.disclosure_approved == Some(true) {
        case_write::set(
            &mut tx,
            id,
            Column::DisclosureApprovedById,
            Some(&staff.user_id),
        )
        .await?;
    }
    if action == Action::StartRemediation {
        create_remediation_tasks(app, &mut tx, &case, now).await?;
    }
    if let Some(text) = reporter_notice(
        action,
        t.resolution,
        reason,
        bug.or(case.row.bug_reference.as_deref()),
    ) {
        let author = MessageAuthor {
            kind: "staff",
            user_id: Some(&staff.user_id),
            visibility: "reporter",
        };
        let message = reports::add_message_in(&mut tx, id, author, &text, now).await?;
        super::messages::notify_reporter(app, &mut tx, id, &case.row.reference, &message.id, now)
            .await?;
    }
    let detail = serde_json::json!({
        "before": {"phase": case.phase().as_str(), "version": case.row.version},
        "after": {"phase": t.phase.as_str(), "resolution": t.resolution.map(Resolution::as_str)},
        "reason": reason,
        "duplicate_of": original.as_ref().map(|o| o.row.reference.clone()),
    });
    let name = format!("case.action.{}", action.as_str());
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: &name,
            case_id: Some(id),
            detail,
        },
    )
    .await?;
    let after = commit_and_refresh(app, tx, id, now).await?;
    view::case_view(app, staff, after, now).await
}

/// The case a duplicate merges into: visible to the actor, open or fixed, and not this one.
async fn original_case(
    app: &App,
    staff: &Staff,
    case: &Loaded,
    reference: Option<&str>,
) -> Result<Loaded, AppError> {
    let Some(reference) = reference.map(str::trim).filter(|r| !r.is_empty()) else {
        return Err(invalid(
            "duplicate_of",
            "name the original case's reference",
        ));
    };
    if reference == case.row.reference {
        return Err(invalid("duplicate_of", "a case cannot duplicate itself"));
    }
    let original = load::visible(app, staff, reference).await.map_err(|e| {
        if matches!(e, AppError::NotFound) {
            invalid("duplicate_of", "no such case you may see")
        } else {
            e
        }
    })?;
    if original
        .row
        .resolution
        .as_deref()
        .is_some_and(|r| r != Resolution::Fixed.as_str())
    {
        return Err(invalid(
            "duplicate_of",
            "the original case was itself closed without a fix",
        ));
    }
    Ok(original)
}

/// The standard remediation tasks, and the disposal tasks of the policy's playbook for the
/// case's vulnerability type. Due: the earliest fix milestone of the policy.
async fn create_remediation_tasks(
    app: &App,
    tx: &mut Tx<'_>,
    case: &Loaded,
    now: Timestamp,
) -> Result<(), AppError> {
    let due = deadlines::evaluate(app, case, now)
        .into_iter()
        .filter(|d| d.met_by.as_deref() == Some(StartEvent::FixAvailable.as_str()))
        .filter_map(|d| d.due_at?.parse::<Timestamp>().ok())
        .min();
    let assignee = case.row.assignee_id.as_deref();
    for kind in TaskKind::STANDARD {
        let title = match kind {
            TaskKind::Fix => "Develop the fix",
            TaskKind::RegressionTest => "Regression test of the fix",
            TaskKind::PenetrationTest => "Penetration test of the fix",
            _ => "QA verification of the fix",
        };
        case_write::add_task(tx, &case.row.id, kind.as_str(), title, assignee, due, now).await?;
    }
    let playbook = case.row.vulnerability_type.as_deref().and_then(|vt| {
        case.policy
            .playbooks
            .iter()
            .find(|p| p.vulnerability_type == vt)
    });
    for task in playbook.map(|p| p.tasks.as_slice()).unwrap_or_default() {
        case_write::add_task(
            tx,
            &case.row.id,
            TaskKind::Disposal.as_str(),
            task,
            assignee,
            due,
            now,
        )
        .await?;
    }
    Ok(())
}

/// What the reporter is told when their report ends or they are asked for more.
fn reporter_notice(
    action: Action,
    resolution: Option<Resolution>,
    reason: Option<&str>,
    bug: Option<&str>,
) -> Option<String> {
    let reason = reason.unwrap_or_default();
    match (action, resolution) {
        (Action::RequestInfo, _) => Some(format!("We need more information to assess your report:\n\n{reason}")),
        (_, Some(Resolution::Duplicate)) => Some(
            "Thank you. Your report describes a vulnerability we are already handling under another report; we have \
             merged it there and will keep you informed of the outcome."
                .into(),
        ),
        (_, Some(Resolution::NotReproducible)) => {
            Some(format!("We could not reproduce the issue you reported and have closed the report:\n\n{reason}"))
        }
        (_, Some(Resolution::AlreadyFixed)) => Some(format!("The issue you reported is already fixed:\n\n{reason}")),
        (_, Some(Resolution::OutOfScope)) => Some(
            "We assessed your report as out of scope (for example, it affects only unsupported versions) and have closed it."
                .into(),
        ),
        (_, Some(Resolution::NotSecurityIssue)) => Some(format!(
            "We assessed your report as not a security vulnerability. It has been passed to the product team as an ordinary \
             defect{}.",
            bug.map(|b| format!(" ({b})")).unwrap_or_default()
        )),
        _ if action == Action::Acknowledge => {
            Some("Thank you: we have received your report and are assessing it. We will keep you informed here.".into())
        }
        _ if action == Action::Release => Some("A fix for the vulnerability you reported is being released.".into()),
        _ if action == Action::Confirm => Some("We have confirmed the vulnerability you reported and are working on a fix.".into()),
        _ if action == Action::Disclose => Some("The fix for the vulnerability you reported has been released and disclosed.".into()),
        _ => None,
    }
    .filter(|_| !matches!(action, Action::ProposeOutOfScope | Action::ProposeNotSecurityIssue))
}

/// The reporter answered on their tracking page: a case waiting for them resumes its clocks.
/// A concurrent staff change wins (the reporter's message is stored either way).
pub async fn reporter_answered(app: &App, case_id: &str) -> Result<(), AppError> {
    let Some(case) = crate::storage::cases::by_id(&app.db, case_id).await? else {
        return Ok(());
    };
    if !case.waiting_for_reporter {
        return Ok(());
    }
    let now = app.clock.now();
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    match case_write::bump(&mut tx, case_id, case.version, now).await {
        Err(StorageError::Stale) => return Ok(()),
        other => other?,
    }
    case_write::set_flag(&mut tx, case_id, Flag::WaitingForReporter, Some(false)).await?;
    case_write::close_pause(&mut tx, case_id, now).await?;
    let event = audit::NewEvent {
        actor: "reporter",
        action: "case.info_received",
        case_id: Some(case_id),
        detail: serde_json::json!({}),
    };
    audit::append(&mut tx, now, event).await?;
    commit_and_refresh(app, tx, case_id, now).await?;
    Ok(())
}
