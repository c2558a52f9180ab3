//! Staff roles (seed 002's PSIRT): what each may do is decided in the application layer.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Runs the installation: users, tokens, configuration. Sees every report.
    Admin,
    /// Product Security Officer: triage owner, external communication. Sees every report.
    Pso,
    /// R&D: remediation design and updates. Sees what they are granted.
    Rd,
    /// Quality assurance: verifies fixes. Sees what they are granted.
    Qa,
    /// Project manager: coordination. Sees what they are granted.
    Pm,
    /// Technical support: customer inquiries, announcements. Sees what they are granted.
    Support,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (expected one of pso, rd, qa, pm, support, admin)")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Pso,
        Role::Rd,
        Role::Qa,
        Role::Pm,
        Role::Support,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Pso => "pso",
            Role::Rd => "rd",
            Role::Qa => "qa",
            Role::Pm => "pm",
            Role::Support => "support",
        }
    }

    /// Whether this role sees every undisclosed report without a grant (need-to-know).
    pub fn sees_all_reports(self) -> bool {
        self.may(crate::case::Permission::SeeAll)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}
