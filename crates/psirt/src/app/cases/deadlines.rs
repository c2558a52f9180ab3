//! Live deadlines of a case: every milestone of its policy and of the regimes that apply, with
//! due, met, at-risk and breached states; extensions; milestones met by hand; the denormalised
//! summary the case list filters on.

use jiff::Timestamp;
use psirt_domain::{
    case::{Permission, Phase},
    policy::engine::{self, State},
};
use serde::Serialize;

use super::load::{self, Loaded};
use crate::{
    app::{App, AppError, Staff},
    storage::{
        audit,
        case_write::{self, Tx},
    },
};

/// One milestone of one case, as shown and exported.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeadlineView {
    pub milestone: String,
    pub name: String,
    /// `null` for the policy's own milestones, else `cra` or `miit`.
    pub regime: Option<String>,
    pub start_event: String,
    pub started_at: Option<String>,
    pub due_at: Option<String>,
    /// The policy's due time before any extension.
    pub original_due_at: Option<String>,
    pub met_at: Option<String>,
    /// `not_started`, `pending`, `at_risk`, `breached`, `met`, `met_late`, or `cancelled` (the
    /// case closed without the milestone being needed).
    pub state: String,
    /// When a breach was first recorded (kept even if the milestone is met later).
    pub breached_at: Option<String>,
    /// Whether the case's events meet it, or staff record it by hand.
    pub met_by: Option<String>,
    pub extension_reason: Option<String>,
}

/// Evaluates every milestone of a loaded case at `now`.
pub fn evaluate(app: &App, case: &Loaded, now: Timestamp) -> Vec<DeadlineView> {
    let regimes = app.regimes_for(&case.regimes());
    let timeline = case.timeline();
    // A case closed without a fix no longer needs its open milestones; a fixed one still does
    // (e.g. a regulator's report).
    let closed = case.phase() == Phase::Closed && case.row.resolution.as_deref() != Some("fixed");
    engine::evaluate(&case.policy, case.grade(), &regimes, &timeline, now)
        .into_iter()
        .map(|s| {
            let breached_at = case
                .breaches
                .iter()
                .find(|(m, _, _)| *m == s.milestone.id)
                .map(|(_, _, at)| at.to_string());
            let state = match s.state {
                State::NotStarted | State::Pending | State::AtRisk | State::Breached
                    if closed && breached_at.is_none() =>
                {
                    "cancelled"
                }
                other => other.as_str(),
            };
            DeadlineView {
                milestone: s.milestone.id.clone(),
                name: s.milestone.name.clone(),
                regime: s.regime.map(|r| r.as_str().to_owned()),
                start_event: s.start_event.as_str().to_owned(),
                started_at: s.started_at.map(|t| t.to_string()),
                due_at: s.due_at.map(|t| t.to_string()),
                original_due_at: s.original_due_at.map(|t| t.to_string()),
                met_at: s.met_at.map(|t| t.to_string()),
                state: state.to_owned(),
                breached_at,
                met_by: s.milestone.met_by.map(|e| e.as_str().to_owned()),
                extension_reason: s.extension.map(|e| e.reason().to_owned()),
            }
        })
        .collect()
}

/// The deadline summary of a case opened now under the active policy (only `received` known).
pub fn initial_deadlines(app: &App, received_at: Timestamp) -> (&'static str, Option<Timestamp>) {
    let mut timeline = psirt_domain::policy::timeline::Timeline::new();
    timeline.record(psirt_domain::policy::StartEvent::Received, received_at);
    let facts = psirt_domain::policy::regime::CaseFacts {
        on_eu_market: false,
        on_chinese_market: false,
        aware_of_exploitation: None,
    };
    let regimes = app.regimes_for(&psirt_domain::policy::regime::applicable(
        &app.policy,
        &facts,
    ));
    let mut next: Option<Timestamp> = None;
    for s in engine::evaluate(&app.policy, None, &regimes, &timeline, received_at) {
        if let Some(due) = s.due_at {
            next = Some(next.map_or(due, |n| n.min(due)));
        }
    }
    (if next.is_some() { "on_track" } else { "none" }, next)
}

/// The worst open state and the next open due time, for list filters and the deadline board.
pub fn summary(deadlines: &[DeadlineView]) -> (&'static str, Option<Timestamp>) {
    let open: Vec<&DeadlineView> = deadlines
        .iter()
        .filter(|d| matches!(d.state.as_str(), "pending" | "at_risk" | "breached"))
        .collect();
    let state = if open.iter().any(|d| d.state == "breached") {
        "breached"
    } else if open.iter().any(|d| d.state == "at_risk") {
        "at_risk"
    } else if open.is_empty() {
        "none"
    } else {
        "on_track"
    };
    let next = open
        .iter()
        .filter_map(|d| d.due_at.as_deref()?.parse::<Timestamp>().ok())
        .min();
    (state, next)
}

/// Recomputes the case's summary and records new breaches, inside the caller's transaction.
/// `case` must reflect the state after the change. Returns the milestones newly breached.
pub async fn refresh_deadline_summary(
    app: &App,
    tx: &mut Tx<'_>,
    case: &Loaded,
    now: Timestamp,
) -> Result<Vec<String>, AppError> {
    let deadlines = evaluate(app, case, now);
    let mut newly = Vec::new();
    for d in deadlines
        .iter()
        .filter(|d| d.state == "breached" || d.state == "met_late")
    {
        let due = d
            .due_at
            .as_deref()
            .and_then(|t| t.parse::<Timestamp>().ok());
        if let Some(due) = due
            && case_write::record_breach(tx, &case.row.id, &d.milestone, due, now).await?
        {
            newly.push(d.milestone.clone());
        }
    }
    let (state, next) = summary(&deadlines);
    case_write::set_next_due(tx, &case.row.id, state, next).await?;
    Ok(newly)
}

/// Grants an extension of a policy milestone (PSO): reason and approver recorded, original kept.
pub async fn extend(
    app: &App,
    staff: &Staff,
    reference: &str,
    milestone: &str,
    new_due: &str,
    reason: &str,
    version: i64,
) -> Result<Vec<DeadlineView>, AppError> {
    if !staff.role.may(Permission::Decide) {
        return Err(AppError::Forbidden(
            "only a PSO or admin may approve an extension",
        ));
    }
    let case = load::visible(app, staff, reference).await?;
    let now = app.clock.now();
    let new_due: Timestamp = new_due
        .parse()
        .map_err(|_| invalid("new_due", "not an RFC 3339 time"))?;
    let current = evaluate(app, &case, now);
    let target = current
        .iter()
        .find(|d| d.milestone == milestone && d.regime.is_none())
        .ok_or_else(|| {
            invalid(
                "milestone",
                "no such policy milestone on this case (legal deadlines cannot be extended)",
            )
        })?;
    let original: Timestamp = target
        .original_due_at
        .as_deref()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| invalid("milestone", "this milestone's clock has not started"))?;
    psirt_domain::policy::timeline::Extension::grant(
        milestone,
        original,
        new_due,
        reason,
        &staff.user_id,
    )
    .map_err(|e| invalid("new_due", &e.to_string()))?;
    let mut tx = app
        .db
        .pool()
        .begin()
        .await
        .map_err(crate::storage::StorageError::from)?;
    case_write::bump(&mut tx, &case.row.id, version, now).await?;
    case_write::add_extension(
        &mut tx,
        &case.row.id,
        milestone,
        original,
        new_due,
        reason.trim(),
        &staff.user_id,
        now,
    )
    .await?;
    let detail = serde_json::json!({"milestone": milestone, "original_due": original.to_string(), "new_due": new_due.to_string(), "reason": reason});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "case.deadline.extend",
            case_id: Some(&case.row.id),
            detail,
        },
    )
    .await?;
    let after = commit_and_refresh(app, tx, &case.row.id, now).await?;
    Ok(evaluate(app, &after, now))
}

/// Records by hand that a milestone without a `met_by` event was met (e.g. a regulator's receipt).
pub async fn mark_met(
    app: &App,
    staff: &Staff,
    reference: &str,
    milestone: &str,
    at: Option<&str>,
    evidence: &str,
) -> Result<Vec<DeadlineView>, AppError> {
    if !staff.role.may(Permission::Triage) && !staff.role.may(Permission::Coordinate) {
        return Err(AppError::Forbidden("your role may not record milestones"));
    }
    let case = load::visible(app, staff, reference).await?;
    let now = app.clock.now();
    let at = match at {
        Some(t) => t
            .parse::<Timestamp>()
            .map_err(|_| invalid("at", "not an RFC 3339 time"))?,
        None => now,
    };
    if at > now {
        return Err(invalid("at", "a milestone cannot be met in the future"));
    }
    if evidence.trim().is_empty() {
        return Err(invalid(
            "evidence",
            "say how the milestone was met (e.g. the regulator's receipt number)",
        ));
    }
    let deadlines = evaluate(app, &case, now);
    let Some(target) = deadlines.iter().find(|d| d.milestone == milestone) else {
        return Err(invalid("milestone", "no such milestone on this case"));
    };
    if target.met_by.is_some() {
        return Err(invalid(
            "milestone",
            "this milestone is met by a case event, not by hand",
        ));
    }
    let mut tx = app
        .db
        .pool()
        .begin()
        .await
        .map_err(crate::storage::StorageError::from)?;
    if !case_write::milestone_met(
        &mut tx,
        &case.row.id,
        milestone,
        at,
        evidence.trim(),
        &staff.user_id,
    )
    .await?
    {
        return Err(AppError::Conflict(format!(
            "{milestone} is already recorded as met"
        )));
    }
    let detail =
        serde_json::json!({"milestone": milestone, "met_at": at.to_string(), "evidence": evidence});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "case.deadline.met",
            case_id: Some(&case.row.id),
            detail,
        },
    )
    .await?;
    let after = commit_and_refresh(app, tx, &case.row.id, now).await?;
    Ok(evaluate(app, &after, now))
}

/// Commits a change, then reloads the case and refreshes its deadline summary (a cache the
/// scheduler also maintains, so it may trail the change by one transaction).
pub async fn commit_and_refresh(
    app: &App,
    tx: Tx<'_>,
    case_id: &str,
    now: Timestamp,
) -> Result<Loaded, AppError> {
    tx.commit()
        .await
        .map_err(crate::storage::StorageError::from)?;
    let after = load::by_id(app, case_id).await?;
    let mut tx = app
        .db
        .pool()
        .begin()
        .await
        .map_err(crate::storage::StorageError::from)?;
    refresh_deadline_summary(app, &mut tx, &after, now).await?;
    tx.commit()
        .await
        .map_err(crate::storage::StorageError::from)?;
    Ok(after)
}

pub(super) fn invalid(field: &str, message: &str) -> AppError {
    let mut errors = psirt_domain::report::FieldErrors::default();
    errors.push(field, "invalid", message);
    AppError::Invalid(errors)
}
