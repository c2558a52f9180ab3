//! Loading a case with everything its rules look at.

use std::sync::Arc;

use jiff::Timestamp;
use psirt_domain::{
    case::{CaseState, PendingDecision, Phase, Resolution, TaskKind, TaskState, TriageAnswers},
    policy::{
        Policy, StartEvent, regime,
        timeline::{Extension, Timeline},
    },
};

use crate::{
    app::{App, AppError, Staff},
    storage::{
        cases::{self, CaseRow, ExtensionRow, TaskRow, VersionRow},
        reports::Viewer,
    },
};

/// A case and its satellites, loaded for one request.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub row: CaseRow,
    pub policy: Arc<Policy>,
    pub anchors: Vec<(String, Timestamp)>,
    pub pauses: Vec<(Timestamp, Option<Timestamp>)>,
    pub extensions: Vec<ExtensionRow>,
    pub met_by_hand: Vec<(String, Timestamp)>,
    pub breaches: Vec<(String, Timestamp, Timestamp)>,
    pub tasks: Vec<TaskRow>,
    pub versions: Vec<VersionRow>,
}

pub fn viewer(staff: &Staff) -> Viewer<'_> {
    Viewer {
        user_id: &staff.user_id,
        sees_all: staff.role.sees_all_reports(),
    }
}

/// Loads a case the staff member may see (404 otherwise).
pub async fn visible(app: &App, staff: &Staff, reference: &str) -> Result<Loaded, AppError> {
    let row = cases::by_reference(&app.db, viewer(staff), reference)
        .await?
        .ok_or(AppError::NotFound)?;
    with_satellites(app, row).await
}

/// Loads a case by id for the system (scheduler), without a visibility check.
pub async fn by_id(app: &App, id: &str) -> Result<Loaded, AppError> {
    let row = cases::by_id(&app.db, id).await?.ok_or(AppError::NotFound)?;
    with_satellites(app, row).await
}

async fn with_satellites(app: &App, row: CaseRow) -> Result<Loaded, AppError> {
    let policy = app.policy_by_id(&row.policy_id)?;
    let id = row.id.clone();
    Ok(Loaded {
        anchors: cases::anchors(&app.db, &id).await?,
        pauses: cases::pauses(&app.db, &id).await?,
        extensions: cases::extensions(&app.db, &id).await?,
        met_by_hand: cases::milestones_met(&app.db, &id).await?,
        breaches: cases::breaches(&app.db, &id).await?,
        tasks: cases::tasks(&app.db, &id).await?,
        versions: cases::versions(&app.db, &id).await?,
        row,
        policy,
    })
}

impl Loaded {
    pub fn phase(&self) -> Phase {
        self.row.phase.parse().unwrap_or_default()
    }

    pub fn anchor(&self, event: StartEvent) -> Option<Timestamp> {
        self.anchors
            .iter()
            .find(|(e, _)| e == event.as_str())
            .map(|(_, at)| *at)
    }

    pub fn grade(&self) -> Option<&psirt_domain::policy::Grade> {
        self.row.grade.as_deref().and_then(|g| self.policy.grade(g))
    }

    pub fn regimes(&self) -> Vec<regime::RegimeId> {
        regime::applicable(
            &self.policy,
            &regime::CaseFacts {
                on_eu_market: self.row.market_eu,
                on_chinese_market: self.row.market_cn,
                aware_of_exploitation: self.anchor(StartEvent::AwareOfExploitation),
            },
        )
    }

    /// The clock facts the deadline engine reads.
    pub fn timeline(&self) -> Timeline {
        let mut t = Timeline::new();
        for (event, at) in &self.anchors {
            if let Ok(event) = event.parse::<StartEvent>() {
                t.record(event, *at);
            }
        }
        if self.policy.pause_while_waiting_for_reporter {
            for (from, until) in &self.pauses {
                t.pause(*from, *until);
            }
        }
        for e in &self.extensions {
            if let Ok(ext) = Extension::grant(
                &e.milestone,
                e.original_due,
                e.new_due,
                &e.reason,
                &e.approver_id,
            ) {
                t.extend(ext);
            }
        }
        for (milestone, at) in &self.met_by_hand {
            t.met(milestone, *at);
        }
        t
    }

    pub fn affected_versions(&self) -> usize {
        self.versions
            .iter()
            .filter(|v| v.status == "affected")
            .count()
    }

    /// Fix tasks exist and each is verified by QA (or a QA verification task is verified and
    /// every fix is done).
    pub fn fix_verified(&self) -> bool {
        let fixes: Vec<_> = self
            .tasks
            .iter()
            .filter(|t| t.kind == TaskKind::Fix.as_str())
            .collect();
        !fixes.is_empty()
            && fixes
                .iter()
                .all(|t| t.state == TaskState::Verified.as_str())
    }

    pub fn state(&self) -> CaseState {
        let r = &self.row;
        CaseState {
            phase: self.phase(),
            graded: self.grade().is_some(),
            affected_versions: self.affected_versions(),
            triage: TriageAnswers {
                applies_to_supported_product: r.triage_supported,
                reproducible: r.triage_reproducible,
                exploitable: r.triage_exploitable,
            },
            waiting_for_reporter: r.waiting_for_reporter,
            fix_verified: self.fix_verified(),
            pending_decision: match (
                r.pending_resolution.as_deref().and_then(Resolution::parse),
                &r.pending_proposer_id,
            ) {
                (Some(resolution), Some(proposer)) => Some(PendingDecision {
                    resolution,
                    proposer: proposer.clone(),
                }),
                _ => None,
            },
            disclosure_approved: r.disclosure_approved_by_id.is_some(),
            post_mortem_recorded: r.post_mortem.is_some(),
        }
    }
}
