//! The format-neutral advisory document.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{catalog::VersionScheme, cvss::CvssVector};

/// Security Advisory (a vulnerability and its remediation) or Security Notice (a public topic
/// or an informational issue — seed 001's distinction).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    Advisory,
    Notice,
}

/// Traffic Light Protocol label (CSAF 2.0 uses TLP 1.0 labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tlp {
    White,
    Green,
    Amber,
    Red,
}

impl Tlp {
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::White => "WHITE",
            Tlp::Green => "GREEN",
            Tlp::Amber => "AMBER",
            Tlp::Red => "RED",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Tlp::White, Tlp::Green, Tlp::Amber, Tlp::Red]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// Public documents may be served without authentication.
    pub fn is_public(self) -> bool {
        self == Tlp::White
    }
}

/// CSAF `document.tracking.status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    Draft,
    Interim,
    Final,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publisher {
    pub name: String,
    /// The publisher's namespace URL (CSAF `document.publisher.namespace`).
    pub namespace: String,
    pub contact_details: String,
    /// The organisation's CVE Program UUID (CVE JSON `providerMetadata.orgId` and
    /// `cveMetadata.assignerOrgId`), when it is a CNA. Without it the CVE renderer writes the
    /// nil UUID, which CVE Services replaces with the submitting CNA's on upload.
    #[serde(default)]
    pub cve_org_id: Option<String>,
}

/// One entry of the revision history. `number` is an integer version ("1", "2", …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub number: String,
    pub date: Timestamp,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub url: String,
    pub summary: String,
    /// `self` for the advisory's own URL, else `external`.
    pub category: String,
}

/// A product of the catalog with the versions the document mentions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    pub vendor: String,
    pub name: String,
    /// How the catalog orders the product's versions (`None`: not a catalog product). The
    /// versions are listed oldest first under it.
    #[serde(default)]
    pub version_scheme: Option<VersionScheme>,
    pub versions: Vec<ProductVersion>,
}

impl Product {
    /// The hardware models of the versions, each once, in catalog order (`None` for versions
    /// without a model).
    pub fn models(&self) -> Vec<Option<&str>> {
        let mut models: Vec<Option<&str>> = Vec::new();
        for v in &self.versions {
            if !models.contains(&v.model.as_deref()) {
                models.push(v.model.as_deref());
            }
        }
        models
    }

    /// "product model", or the product name alone for versions without a model.
    pub fn model_name(&self, model: Option<&str>) -> String {
        match model {
            Some(model) => format!("{} {model}", self.name),
            None => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductVersion {
    /// Stable id within the document (CSAF `product_id`), e.g. `VGBMS-3.1.4`.
    pub product_id: String,
    pub version: String,
    /// Hardware model / revision, if the version belongs to one.
    pub model: Option<String>,
    /// Package URL, when the product has one (OSV needs an ecosystem or purl).
    pub purl: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemediationCategory {
    VendorFix,
    Mitigation,
    Workaround,
    NoFixPlanned,
    NoneAvailable,
}

impl RemediationCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            RemediationCategory::VendorFix => "vendor_fix",
            RemediationCategory::Mitigation => "mitigation",
            RemediationCategory::Workaround => "workaround",
            RemediationCategory::NoFixPlanned => "no_fix_planned",
            RemediationCategory::NoneAvailable => "none_available",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub category: RemediationCategory,
    /// What to do (upgrade instructions, how to get the fix: download centre, OTA, offline).
    pub details: String,
    pub url: Option<String>,
    /// `product_id`s it applies to.
    pub product_ids: Vec<String>,
}

/// One vulnerability of an advisory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vulnerability {
    /// `CVE-YYYY-NNNN…`, when assigned.
    pub cve: Option<String>,
    /// psirt's case reference (`PSIRT-2026-0001`): an id of the vulnerability in this system.
    pub case_reference: String,
    /// `(CWE-347, "Improper Verification of Cryptographic Signature")`.
    pub cwe: Option<(String, String)>,
    pub title: String,
    pub description: String,
    pub cvss_v3_1: Option<CvssVector>,
    pub cvss_v4_0: Option<CvssVector>,
    /// `product_id`s of affected versions.
    pub known_affected: Vec<String>,
    /// `product_id`s of versions that contain the fix.
    pub fixed: Vec<String>,
    pub remediations: Vec<Remediation>,
    /// Names of credited reporters who agreed to be credited.
    pub acknowledgments: Vec<String>,
    pub discovery_date: Option<Timestamp>,
    pub release_date: Option<Timestamp>,
}

/// A Security Advisory or Notice, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdvisoryDoc {
    /// Tracking id, e.g. `PSIRT-SA-2026-0001`.
    pub id: String,
    pub kind: DocKind,
    pub title: String,
    pub summary: String,
    /// Business impact in words (seed 001).
    pub business_impact: Option<String>,
    /// Severity in the organisation's own grade (e.g. "Critical").
    pub grade: Option<String>,
    pub tlp: Tlp,
    pub status: TrackingStatus,
    pub language: String,
    pub publisher: Publisher,
    pub initial_release: Timestamp,
    pub current_release: Timestamp,
    pub revisions: Vec<Revision>,
    pub references: Vec<Reference>,
    pub products: Vec<Product>,
    pub vulnerabilities: Vec<Vulnerability>,
    pub acknowledgments: Vec<String>,
}

impl AdvisoryDoc {
    /// The current version (the last revision's number).
    pub fn version(&self) -> &str {
        self.revisions
            .last()
            .map(|r| r.number.as_str())
            .unwrap_or("1")
    }
}

/// File name per CSAF 2.0 §5.1: the tracking id in lower case, every run of characters other
/// than `+`, `-`, `a-z` and `0-9` replaced by one `_`, plus `.json`.
pub fn csaf_file_name(tracking_id: &str) -> String {
    let mut out = String::with_capacity(tracking_id.len() + 5);
    let mut in_run = false;
    for c in tracking_id.to_lowercase().chars() {
        if c == '+' || c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
            in_run = false;
        } else if !in_run {
            out.push('_');
            in_run = true;
        }
    }
    out.push_str(".json");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_follow_csaf_5_1() {
        assert_eq!(
            csaf_file_name("PSIRT-SA-2026-0001"),
            "psirt-sa-2026-0001.json"
        );
        assert_eq!(csaf_file_name("BSI-2022_2-01"), "bsi-2022_2-01.json");
        assert_eq!(
            csaf_file_name("cisco-sa-20180328-smi2"),
            "cisco-sa-20180328-smi2.json"
        );
        assert_eq!(csaf_file_name("ICSA 23/001 (x)"), "icsa_23_001_x_.json");
    }
}
