//! Where a version or model stands in its support lifecycle.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportStatus {
    /// Full support: features, fixes and security updates.
    Supported,
    /// Security updates only (the last phase before end of support).
    SecurityOnly,
    /// No updates any more.
    Unsupported,
}

impl SupportStatus {
    pub const ALL: [SupportStatus; 3] = [
        SupportStatus::Supported,
        SupportStatus::SecurityOnly,
        SupportStatus::Unsupported,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SupportStatus::Supported => "supported",
            SupportStatus::SecurityOnly => "security_only",
            SupportStatus::Unsupported => "unsupported",
        }
    }

    /// Words for a page.
    pub fn label(self) -> &'static str {
        match self {
            SupportStatus::Supported => "Supported",
            SupportStatus::SecurityOnly => "Security updates only",
            SupportStatus::Unsupported => "Unsupported",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// Still receives security updates.
    pub fn gets_security_updates(self) -> bool {
        self != SupportStatus::Unsupported
    }
}
