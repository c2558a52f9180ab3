//! Milestones: the events that start a clock, how long each clock runs, and which grades it binds.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The case events a clock can start from. `Confirmed` is the policy's T; `UpstreamPublished` is
/// T0 for third-party components (seed 002).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartEvent {
    Received,
    Acknowledged,
    Confirmed,
    UpstreamPublished,
    AwareOfExploitation,
    FixAvailable,
    Disclosed,
}

impl StartEvent {
    /// Every event, in lifecycle order.
    pub const ALL: [StartEvent; 7] = [
        StartEvent::Received,
        StartEvent::Acknowledged,
        StartEvent::Confirmed,
        StartEvent::UpstreamPublished,
        StartEvent::AwareOfExploitation,
        StartEvent::FixAvailable,
        StartEvent::Disclosed,
    ];

    /// The name used in policy files, the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StartEvent::Received => "received",
            StartEvent::Acknowledged => "acknowledged",
            StartEvent::Confirmed => "confirmed",
            StartEvent::UpstreamPublished => "upstream_published",
            StartEvent::AwareOfExploitation => "aware_of_exploitation",
            StartEvent::FixAvailable => "fix_available",
            StartEvent::Disclosed => "disclosed",
        }
    }

    /// Position in [`StartEvent::ALL`], used to index per-event arrays without hashing.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for StartEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event name that is not one of [`StartEvent::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown event `{0}` (expected one of received, acknowledged, confirmed, upstream_published, aware_of_exploitation, fix_available, disclosed)"
)]
pub struct UnknownEvent(pub String);

impl FromStr for StartEvent {
    type Err = UnknownEvent;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StartEvent::ALL
            .into_iter()
            .find(|e| e.as_str() == s)
            .ok_or_else(|| UnknownEvent(s.to_owned()))
    }
}

/// How long a milestone's clock runs once started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// Elapsed (absolute) hours: a DST change does not stretch or shrink them.
    Hours(u32),
    /// Civil days in the calendar's zone: same wall-clock time N days later.
    CalendarDays(u32),
    /// Working days: by the end (23:59:59 local) of the Nth working day after the start day.
    WorkingDays(u32),
    /// The next scheduled routine release of the policy's release train.
    NextRelease,
}

impl fmt::Display for Due {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Due::Hours(h) => write!(f, "{h} h"),
            Due::CalendarDays(d) => write!(f, "{d} calendar days"),
            Due::WorkingDays(d) => write!(f, "{d} working days"),
            Due::NextRelease => f.write_str("next routine release"),
        }
    }
}

/// The grades a milestone binds, as a bit set over grade positions (a policy has ≤ 64 grades).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppliesTo {
    /// Every grade, and cases not graded yet (acknowledgement, verification, initial assessment).
    AllGrades,
    /// Only these grade positions.
    Grades(u64),
}

impl AppliesTo {
    /// Whether the milestone binds a case of this grade position (`None`: not graded yet).
    pub fn includes(self, grade: Option<usize>) -> bool {
        match (self, grade) {
            (AppliesTo::AllGrades, _) => true,
            (AppliesTo::Grades(_), None) => false,
            (AppliesTo::Grades(mask), Some(i)) => i < 64 && mask & (1u64 << i) != 0,
        }
    }
}

/// One deadline of a policy or a regime.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    /// Stable id, unique within its policy or regime (`verification`, `cra-early-warning`).
    pub id: String,
    /// Human name.
    pub name: String,
    /// The event whose instant starts the clock.
    pub start: StartEvent,
    /// When the case involves a third-party component and this event has happened, the clock
    /// starts here instead (seed 002: "T = 0 is the upstream supplier's public announcement").
    pub third_party_start: Option<StartEvent>,
    /// The case event that meets this milestone (`acknowledged`, `confirmed`, `fix_available`,
    /// `disclosed`); `None`: staff record it as met, with evidence (e.g. a regulator's receipt).
    pub met_by: Option<StartEvent>,
    pub due: Due,
    /// "… or next release" (seed 002 Low): the later of `due` and the next routine release.
    pub or_next_release: bool,
    pub applies_to: AppliesTo,
    /// Fraction of the clock elapsed after which the milestone is at risk.
    pub at_risk_fraction: f64,
    /// What the source document says, quoted.
    pub source: String,
    /// How psirt reads the rule where the source is ambiguous.
    pub note: String,
}

/// How long a kind of record must be kept (seed 000 telemetry, MIIT intake logs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRule {
    pub id: String,
    pub what: String,
    pub minimum: RetentionPeriod,
    pub source: String,
}

/// A minimum retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionPeriod {
    Days(u32),
    Months(u32),
}

impl fmt::Display for RetentionPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetentionPeriod::Days(d) => write!(f, "{d} days"),
            RetentionPeriod::Months(m) => write!(f, "{m} months"),
        }
    }
}

/// A duty the source states without a measurable clock ("promptly notify users", "keep the
/// reporter updated"): listed so no rule of the source is lost, never evaluated as a deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    pub id: String,
    pub text: String,
    pub after: Option<StartEvent>,
    pub source: String,
}
