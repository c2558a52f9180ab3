//! Actions on a case, their guards, and the transitions they cause.

use std::{fmt, str::FromStr};

use super::{CaseState, PendingDecision, Permission, Phase, Resolution};
use crate::{policy::StartEvent, report::Role};

/// Every explicit step a staff member can take on a case (`POST …/actions/{action}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Acknowledge,
    StartTriage,
    RequestInfo,
    InfoReceived,
    Confirm,
    StartRemediation,
    Release,
    ApproveDisclosure,
    Disclose,
    StartPostRelease,
    Close,
    MarkDuplicate,
    NotReproducible,
    AlreadyFixed,
    ProposeOutOfScope,
    ProposeNotSecurityIssue,
    ApproveDecision,
    RejectDecision,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action {0:?}")]
pub struct UnknownAction(pub String);

impl Action {
    pub const ALL: [Action; 18] = [
        Action::Acknowledge,
        Action::StartTriage,
        Action::RequestInfo,
        Action::InfoReceived,
        Action::Confirm,
        Action::StartRemediation,
        Action::Release,
        Action::ApproveDisclosure,
        Action::Disclose,
        Action::StartPostRelease,
        Action::Close,
        Action::MarkDuplicate,
        Action::NotReproducible,
        Action::AlreadyFixed,
        Action::ProposeOutOfScope,
        Action::ProposeNotSecurityIssue,
        Action::ApproveDecision,
        Action::RejectDecision,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Acknowledge => "acknowledge",
            Action::StartTriage => "start_triage",
            Action::RequestInfo => "request_info",
            Action::InfoReceived => "info_received",
            Action::Confirm => "confirm",
            Action::StartRemediation => "start_remediation",
            Action::Release => "release",
            Action::ApproveDisclosure => "approve_disclosure",
            Action::Disclose => "disclose",
            Action::StartPostRelease => "start_post_release",
            Action::Close => "close",
            Action::MarkDuplicate => "mark_duplicate",
            Action::NotReproducible => "not_reproducible",
            Action::AlreadyFixed => "already_fixed",
            Action::ProposeOutOfScope => "propose_out_of_scope",
            Action::ProposeNotSecurityIssue => "propose_not_security_issue",
            Action::ApproveDecision => "approve_decision",
            Action::RejectDecision => "reject_decision",
        }
    }

    /// The permission an action needs.
    pub fn permission(self) -> Permission {
        match self {
            Action::ApproveDecision | Action::RejectDecision | Action::ApproveDisclosure => {
                Permission::Decide
            }
            Action::Release | Action::Disclose => Permission::Disclose,
            Action::StartRemediation | Action::StartPostRelease => Permission::Coordinate,
            _ => Permission::Triage,
        }
    }

    /// Whether a written reason is required.
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            Action::MarkDuplicate
                | Action::NotReproducible
                | Action::AlreadyFixed
                | Action::ProposeOutOfScope
                | Action::ProposeNotSecurityIssue
                | Action::RejectDecision
                | Action::RequestInfo
        )
    }

    /// The phases the action may start from.
    fn start_phases(self) -> &'static [Phase] {
        use Phase::*;
        match self {
            Action::Acknowledge => &[Received],
            Action::StartTriage => &[Acknowledged],
            Action::RequestInfo | Action::InfoReceived | Action::Confirm => &[Triage],
            Action::StartRemediation => &[Confirmed],
            Action::Release => &[Remediation],
            Action::ApproveDisclosure | Action::Disclose => &[Release],
            Action::StartPostRelease => &[Disclosed],
            Action::Close => &[PostRelease],
            Action::NotReproducible => &[Acknowledged, Triage],
            Action::MarkDuplicate
            | Action::AlreadyFixed
            | Action::ProposeOutOfScope
            | Action::ProposeNotSecurityIssue
            | Action::ApproveDecision
            | Action::RejectDecision => &[Received, Acknowledged, Triage],
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAction(s.to_owned()))
    }
}

/// Why an action may not be taken now. Each names the rule that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Guard {
    #[error("{action} is not possible in phase {phase}")]
    WrongPhase { action: Action, phase: Phase },
    #[error("the role {role} may not {action}")]
    NotPermitted { role: Role, action: Action },
    #[error("{0} needs a written reason")]
    ReasonRequired(Action),
    #[error("confirm needs a grade")]
    NotGraded,
    #[error("confirm needs at least one affected product version")]
    NoAffectedVersion,
    #[error(
        "confirm needs all three triage answers to be yes (supported product, reproducible, exploitable)"
    )]
    TriageIncomplete,
    #[error("the case is waiting for the reporter's answer")]
    WaitingForReporter,
    #[error("the case is not waiting for the reporter")]
    NotWaiting,
    #[error("release needs every fix task done and verified by QA")]
    FixNotVerified,
    #[error("disclosure needs the approval of a second person")]
    DisclosureNotApproved,
    #[error("the person who released the fix cannot also approve its disclosure")]
    SameReleaser,
    #[error("close needs a post-mortem (root cause, CWE, lessons)")]
    NoPostMortem,
    #[error("a decision is already waiting for approval")]
    DecisionPending,
    #[error("no decision is waiting for approval")]
    NoDecision,
    #[error("the proposer of a decision cannot approve it: a second staff member must")]
    SamePerson,
}

/// What an allowed action changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub phase: Phase,
    pub resolution: Option<Resolution>,
    /// The clock anchor the action records, if any.
    pub event: Option<StartEvent>,
    pub waiting_for_reporter: Option<bool>,
    /// `Some(Some(d))` sets a pending decision, `Some(None)` clears it.
    pub pending_decision: Option<Option<PendingDecision>>,
    pub disclosure_approved: Option<bool>,
}

impl Transition {
    fn to(phase: Phase) -> Self {
        Self {
            phase,
            resolution: None,
            event: None,
            waiting_for_reporter: None,
            pending_decision: None,
            disclosure_approved: None,
        }
    }

    fn closing(resolution: Resolution) -> Self {
        Self {
            resolution: Some(resolution),
            pending_decision: Some(None),
            ..Self::to(Phase::Closed)
        }
    }
}

/// Decides whether `actor` (with `role`) may take `action` on a case in `state`, and what it changes.
/// `released_by` is who moved the case into release (for the four-eyes check on disclosure).
pub fn transition(
    state: &CaseState,
    action: Action,
    actor: &str,
    role: Role,
    reason: Option<&str>,
    released_by: Option<&str>,
) -> Result<Transition, Guard> {
    if !role.may(action.permission()) {
        return Err(Guard::NotPermitted { role, action });
    }
    if !action.start_phases().contains(&state.phase) {
        return Err(Guard::WrongPhase {
            action,
            phase: state.phase,
        });
    }
    if action.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(Guard::ReasonRequired(action));
    }
    let phase = state.phase;
    let decision_free = || {
        if state.pending_decision.is_some() {
            Err(Guard::DecisionPending)
        } else {
            Ok(())
        }
    };
    Ok(match action {
        Action::Acknowledge => Transition {
            event: Some(StartEvent::Acknowledged),
            ..Transition::to(Phase::Acknowledged)
        },
        Action::StartTriage => Transition::to(Phase::Triage),
        Action::RequestInfo => {
            if state.waiting_for_reporter {
                return Err(Guard::WaitingForReporter);
            }
            Transition {
                waiting_for_reporter: Some(true),
                ..Transition::to(phase)
            }
        }
        Action::InfoReceived => {
            if !state.waiting_for_reporter {
                return Err(Guard::NotWaiting);
            }
            Transition {
                waiting_for_reporter: Some(false),
                ..Transition::to(phase)
            }
        }
        Action::Confirm => {
            if state.waiting_for_reporter {
                return Err(Guard::WaitingForReporter);
            }
            if !state.graded {
                return Err(Guard::NotGraded);
            }
            if state.affected_versions == 0 {
                return Err(Guard::NoAffectedVersion);
            }
            if !state.triage.all_yes() {
                return Err(Guard::TriageIncomplete);
            }
            decision_free()?;
            Transition {
                event: Some(StartEvent::Confirmed),
                ..Transition::to(Phase::Confirmed)
            }
        }
        Action::StartRemediation => Transition::to(Phase::Remediation),
        Action::Release => {
            if !state.fix_verified {
                return Err(Guard::FixNotVerified);
            }
            Transition {
                event: Some(StartEvent::FixAvailable),
                disclosure_approved: Some(false),
                ..Transition::to(Phase::Release)
            }
        }
        Action::ApproveDisclosure => {
            if released_by == Some(actor) {
                return Err(Guard::SameReleaser);
            }
            Transition {
                disclosure_approved: Some(true),
                ..Transition::to(phase)
            }
        }
        Action::Disclose => {
            if !state.disclosure_approved {
                return Err(Guard::DisclosureNotApproved);
            }
            Transition {
                event: Some(StartEvent::Disclosed),
                ..Transition::to(Phase::Disclosed)
            }
        }
        Action::StartPostRelease => Transition::to(Phase::PostRelease),
        Action::Close => {
            if !state.post_mortem_recorded {
                return Err(Guard::NoPostMortem);
            }
            Transition::closing(Resolution::Fixed)
        }
        Action::MarkDuplicate => {
            decision_free()?;
            Transition::closing(Resolution::Duplicate)
        }
        Action::NotReproducible => {
            decision_free()?;
            Transition::closing(Resolution::NotReproducible)
        }
        Action::AlreadyFixed => {
            decision_free()?;
            Transition::closing(Resolution::AlreadyFixed)
        }
        Action::ProposeOutOfScope | Action::ProposeNotSecurityIssue => {
            decision_free()?;
            let resolution = if action == Action::ProposeOutOfScope {
                Resolution::OutOfScope
            } else {
                Resolution::NotSecurityIssue
            };
            Transition {
                pending_decision: Some(Some(PendingDecision {
                    resolution,
                    proposer: actor.to_owned(),
                })),
                ..Transition::to(phase)
            }
        }
        Action::ApproveDecision => {
            let Some(pending) = &state.pending_decision else {
                return Err(Guard::NoDecision);
            };
            if pending.proposer == actor {
                return Err(Guard::SamePerson);
            }
            Transition::closing(pending.resolution)
        }
        Action::RejectDecision => {
            if state.pending_decision.is_none() {
                return Err(Guard::NoDecision);
            }
            Transition {
                pending_decision: Some(None),
                ..Transition::to(phase)
            }
        }
    })
}

/// The actions `actor` could take now (their guards pass, a reason assumed given).
pub fn allowed_actions(
    state: &CaseState,
    actor: &str,
    role: Role,
    released_by: Option<&str>,
) -> Vec<Action> {
    Action::ALL
        .into_iter()
        .filter(|a| transition(state, *a, actor, role, Some("reason"), released_by).is_ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::TriageAnswers;

    fn at(phase: Phase) -> CaseState {
        CaseState {
            phase,
            ..CaseState::default()
        }
    }

    #[test]
    fn the_happy_path_walks_every_phase() {
        let mut s = at(Phase::Received);
        let steps = [
            (Action::Acknowledge, Phase::Acknowledged),
            (Action::StartTriage, Phase::Triage),
            (Action::Confirm, Phase::Confirmed),
            (Action::StartRemediation, Phase::Remediation),
            (Action::Release, Phase::Release),
            (Action::Disclose, Phase::Disclosed),
            (Action::StartPostRelease, Phase::PostRelease),
            (Action::Close, Phase::Closed),
        ];
        s.graded = true;
        s.affected_versions = 1;
        s.triage = TriageAnswers {
            applies_to_supported_product: Some(true),
            reproducible: Some(true),
            exploitable: Some(true),
        };
        s.fix_verified = true;
        s.disclosure_approved = true;
        s.post_mortem_recorded = true;
        for (action, phase) in steps {
            let t = transition(&s, action, "pso", Role::Pso, None, Some("other")).unwrap();
            assert_eq!(t.phase, phase, "{action}");
            s.phase = t.phase;
        }
    }

    #[test]
    fn confirm_names_the_failed_guard() {
        let mut s = at(Phase::Triage);
        assert_eq!(
            transition(&s, Action::Confirm, "a", Role::Pso, None, None),
            Err(Guard::NotGraded)
        );
        s.graded = true;
        assert_eq!(
            transition(&s, Action::Confirm, "a", Role::Pso, None, None),
            Err(Guard::NoAffectedVersion)
        );
        s.affected_versions = 2;
        assert_eq!(
            transition(&s, Action::Confirm, "a", Role::Pso, None, None),
            Err(Guard::TriageIncomplete)
        );
        s.triage = TriageAnswers {
            applies_to_supported_product: Some(true),
            reproducible: Some(true),
            exploitable: Some(true),
        };
        let t = transition(&s, Action::Confirm, "a", Role::Pso, None, None).unwrap();
        assert_eq!(t.event, Some(StartEvent::Confirmed));
        assert_eq!(
            transition(
                &at(Phase::Received),
                Action::Confirm,
                "a",
                Role::Pso,
                None,
                None
            ),
            Err(Guard::WrongPhase {
                action: Action::Confirm,
                phase: Phase::Received
            })
        );
    }

    #[test]
    fn two_person_rule_for_ending_without_a_fix() {
        let s = at(Phase::Triage);
        let proposed = transition(
            &s,
            Action::ProposeOutOfScope,
            "alice",
            Role::Pso,
            Some("EOL model"),
            None,
        )
        .unwrap();
        let pending = proposed.pending_decision.clone().unwrap();
        let s = CaseState {
            pending_decision: pending,
            ..s
        };
        assert_eq!(
            transition(&s, Action::ApproveDecision, "alice", Role::Pso, None, None),
            Err(Guard::SamePerson)
        );
        let done = transition(&s, Action::ApproveDecision, "bob", Role::Pso, None, None).unwrap();
        assert_eq!(
            (done.phase, done.resolution),
            (Phase::Closed, Some(Resolution::OutOfScope))
        );
        assert_eq!(
            transition(&s, Action::ApproveDecision, "carol", Role::Rd, None, None),
            Err(Guard::NotPermitted {
                role: Role::Rd,
                action: Action::ApproveDecision
            })
        );
        assert_eq!(
            transition(&s, Action::MarkDuplicate, "bob", Role::Pso, Some("x"), None),
            Err(Guard::DecisionPending)
        );
    }

    #[test]
    fn reasons_and_four_eyes_on_disclosure() {
        assert_eq!(
            transition(
                &at(Phase::Triage),
                Action::NotReproducible,
                "a",
                Role::Pso,
                Some("  "),
                None
            ),
            Err(Guard::ReasonRequired(Action::NotReproducible))
        );
        let s = at(Phase::Release);
        assert_eq!(
            transition(
                &s,
                Action::ApproveDisclosure,
                "a",
                Role::Pso,
                None,
                Some("a")
            ),
            Err(Guard::SameReleaser)
        );
        assert!(
            transition(
                &s,
                Action::ApproveDisclosure,
                "b",
                Role::Pso,
                None,
                Some("a")
            )
            .is_ok()
        );
        assert_eq!(
            transition(&s, Action::Disclose, "a", Role::Pso, None, Some("a")),
            Err(Guard::DisclosureNotApproved)
        );
    }

    #[test]
    fn allowed_actions_follow_role_and_phase() {
        let s = at(Phase::Received);
        let pso = allowed_actions(&s, "p", Role::Pso, None);
        assert!(pso.contains(&Action::Acknowledge) && pso.contains(&Action::MarkDuplicate));
        assert!(!pso.contains(&Action::Confirm));
        assert!(allowed_actions(&s, "r", Role::Rd, None).is_empty());
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>().unwrap(), a);
        }
    }
}
