//! Tasks of a case: the fix and its tests, QA verification, and the policy playbook's disposal tasks.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Fix,
    RegressionTest,
    PenetrationTest,
    QaVerification,
    /// A disposal measure from the policy's playbook (seed 000's table).
    Disposal,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown task kind {0:?} (expected fix, regression_test, penetration_test, qa_verification, disposal or other)"
)]
pub struct UnknownTaskKind(pub String);

impl TaskKind {
    pub const ALL: [TaskKind; 6] = [
        TaskKind::Fix,
        TaskKind::RegressionTest,
        TaskKind::PenetrationTest,
        TaskKind::QaVerification,
        TaskKind::Disposal,
        TaskKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::Fix => "fix",
            TaskKind::RegressionTest => "regression_test",
            TaskKind::PenetrationTest => "penetration_test",
            TaskKind::QaVerification => "qa_verification",
            TaskKind::Disposal => "disposal",
            TaskKind::Other => "other",
        }
    }

    /// The tasks every confirmed case starts its remediation with.
    pub const STANDARD: [TaskKind; 4] = [
        TaskKind::Fix,
        TaskKind::RegressionTest,
        TaskKind::PenetrationTest,
        TaskKind::QaVerification,
    ];
}

impl fmt::Display for TaskKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TaskKind {
    type Err = UnknownTaskKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TaskKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownTaskKind(s.to_owned()))
    }
}

/// Where a task stands. `Done` needs evidence; a fix counts only once `Verified` by QA.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Open,
    Done,
    Verified,
}

impl TaskState {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Done => "done",
            TaskState::Verified => "verified",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [TaskState::Open, TaskState::Done, TaskState::Verified]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}
