//! Scoring a CVSS vector for people and programs: `psirt cvss --json`, `GET /api/v1/cvss` and
//! the live calculator on the case page all show this one summary of the domain's exact scores.

use psirt_domain::{
    cvss::{CvssVector, Score},
    report::FieldErrors,
};
use serde::Serialize;

use super::AppError;

/// A vector's scores and severities, only where the vector defines them.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CvssScores {
    /// The vector in canonical order.
    #[schema(example = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    pub vector: String,
    /// `2.0`, `3.0`, `3.1` or `4.0`.
    pub version: String,
    #[schema(example = 9.8)]
    pub base_score: f64,
    /// `None`, `Low`, `Medium`, `High` or `Critical` (v2.0: Low to High).
    pub base_severity: String,
    /// v2.0/v3.x, when temporal metrics are set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temporal_severity: Option<String>,
    /// v4.0 CVSS-BT, when threat metrics are set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threat_severity: Option<String>,
    /// When environmental metrics are set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environmental_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environmental_severity: Option<String>,
    /// v4.0 only: which score `overall` is (`CVSS-B`, `CVSS-BT`, `CVSS-BE`, `CVSS-BTE`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nomenclature: Option<String>,
}

impl CvssScores {
    pub fn of(v: &CvssVector) -> Self {
        let score = |s: Option<Score>| s.map(Score::as_f64);
        let severity = |s: Option<Score>| s.map(|s| v.severity(s).to_string());
        let (temporal, threat, environmental) = (
            v.temporal_score(),
            v.threat_score(),
            v.environmental_score(),
        );
        CvssScores {
            vector: v.as_str().to_owned(),
            version: v.version().as_str().to_owned(),
            base_score: v.base_score().as_f64(),
            base_severity: v.severity(v.base_score()).to_string(),
            temporal_score: score(temporal),
            temporal_severity: severity(temporal),
            threat_score: score(threat),
            threat_severity: severity(threat),
            environmental_score: score(environmental),
            environmental_severity: severity(environmental),
            nomenclature: v.nomenclature().map(|n| n.to_string()),
        }
    }
}

/// Parses and scores `input`; a bad vector is a `vector` field error (`invalid_cvss`) that
/// names the metric or token at fault.
pub fn score(input: &str) -> Result<CvssScores, AppError> {
    CvssVector::parse(input.trim())
        .map(|v| CvssScores::of(&v))
        .map_err(|e| {
            let mut errors = FieldErrors::default();
            errors.push("vector", "invalid_cvss", e.to_string());
            AppError::Invalid(errors)
        })
}
