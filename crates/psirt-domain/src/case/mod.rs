//! The case: a reported vulnerability being handled through the ISO/IEC 30111 phases.
//!
//! Pure rules only: which phase follows which action, the guard each action must pass, who may
//! do what ([`Permission`]), and the two-person rule for decisions that end a case without a fix.
//! Storage and use cases live in the application crate; they call [`transition`] and apply what
//! it returns inside one transaction.

mod action;
mod permission;
mod phase;
mod task;

pub use action::{Action, Guard, Transition, UnknownAction, allowed_actions, transition};
pub use permission::{Permission, permissions};
pub use phase::{Phase, Resolution, UnknownPhase};
pub use task::{TaskKind, TaskState, UnknownTaskKind};

/// The three questions of seed 002's initial assessment. `None`: not answered yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TriageAnswers {
    /// Does the issue apply to a product the company supports?
    pub applies_to_supported_product: Option<bool>,
    /// Can it be reproduced and verified?
    pub reproducible: Option<bool>,
    /// Is it a security risk that can be exploited?
    pub exploitable: Option<bool>,
}

impl TriageAnswers {
    pub fn all_yes(&self) -> bool {
        self.applies_to_supported_product == Some(true)
            && self.reproducible == Some(true)
            && self.exploitable == Some(true)
    }
}

/// A decision waiting for a second person (two-person rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDecision {
    pub resolution: Resolution,
    pub proposer: String,
}

/// What the guards look at: a snapshot of one case.
#[derive(Debug, Clone, Default)]
pub struct CaseState {
    pub phase: Phase,
    pub graded: bool,
    pub affected_versions: usize,
    pub triage: TriageAnswers,
    pub waiting_for_reporter: bool,
    /// Fix tasks exist and every one of them is done and verified by QA.
    pub fix_verified: bool,
    pub pending_decision: Option<PendingDecision>,
    /// Publication was approved by a second person (the release decision).
    pub disclosure_approved: bool,
    pub post_mortem_recorded: bool,
}
