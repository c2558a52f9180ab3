//! Phases and how a closed case ended.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

/// ISO/IEC 30111 phases, in order.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    #[default]
    Received,
    Acknowledged,
    Triage,
    /// The vulnerability is confirmed: this instant is the policy's T.
    Confirmed,
    Remediation,
    Release,
    Disclosed,
    PostRelease,
    Closed,
}

/// How a closed case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// Fixed, released and disclosed.
    Fixed,
    /// The same vulnerability as another case (merged into it).
    Duplicate,
    NotReproducible,
    /// Out of scope, or affects only unsupported versions (two-person rule).
    OutOfScope,
    /// Not a security issue: becomes an ordinary bug (two-person rule).
    NotSecurityIssue,
    AlreadyFixed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown phase {0:?} (expected received, acknowledged, triage, confirmed, remediation, release, disclosed, post_release or closed)"
)]
pub struct UnknownPhase(pub String);

impl Phase {
    pub const ALL: [Phase; 9] = [
        Phase::Received,
        Phase::Acknowledged,
        Phase::Triage,
        Phase::Confirmed,
        Phase::Remediation,
        Phase::Release,
        Phase::Disclosed,
        Phase::PostRelease,
        Phase::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Received => "received",
            Phase::Acknowledged => "acknowledged",
            Phase::Triage => "triage",
            Phase::Confirmed => "confirmed",
            Phase::Remediation => "remediation",
            Phase::Release => "release",
            Phase::Disclosed => "disclosed",
            Phase::PostRelease => "post_release",
            Phase::Closed => "closed",
        }
    }

    /// Whether the case is public knowledge (disclosed or later, unless it closed without disclosure).
    pub fn is_disclosed(self) -> bool {
        matches!(self, Phase::Disclosed | Phase::PostRelease)
    }

    /// What the reporter sees on the tracking page.
    pub fn public_status(self) -> &'static str {
        match self {
            Phase::Received => "received",
            Phase::Acknowledged | Phase::Triage => "under assessment",
            Phase::Confirmed | Phase::Remediation => "confirmed, fix in progress",
            Phase::Release => "fix being released",
            Phase::Disclosed | Phase::PostRelease => "fixed and disclosed",
            Phase::Closed => "closed",
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Phase {
    type Err = UnknownPhase;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Phase::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPhase(s.to_owned()))
    }
}

impl Resolution {
    pub const ALL: [Resolution; 6] = [
        Resolution::Fixed,
        Resolution::Duplicate,
        Resolution::NotReproducible,
        Resolution::OutOfScope,
        Resolution::NotSecurityIssue,
        Resolution::AlreadyFixed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Fixed => "fixed",
            Resolution::Duplicate => "duplicate",
            Resolution::NotReproducible => "not_reproducible",
            Resolution::OutOfScope => "out_of_scope",
            Resolution::NotSecurityIssue => "not_security_issue",
            Resolution::AlreadyFixed => "already_fixed",
        }
    }

    /// Ends a case only once a second staff member approves.
    pub fn needs_second_person(self) -> bool {
        matches!(self, Resolution::OutOfScope | Resolution::NotSecurityIssue)
    }

    pub fn parse(s: &str) -> Option<Self> {
        Resolution::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
