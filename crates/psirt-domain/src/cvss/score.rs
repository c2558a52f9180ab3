//! [`Score`] (exact tenths) and [`Severity`] (the qualitative rating scales).

use std::fmt;

/// A CVSS score, held exactly as tenths (0..=100), so `9.8` is 98 and never `9.799999`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Score(u8);

impl Score {
    /// The highest score, 10.0.
    pub const MAX: Score = Score(100);

    /// A score from tenths; `None` above 100 (10.0).
    pub const fn from_tenths(tenths: u8) -> Option<Score> {
        if tenths <= 100 {
            Some(Score(tenths))
        } else {
            None
        }
    }

    /// Clamps any integer number of tenths into 0.0..=10.0 (the formulas' final `max(0, …)`).
    pub(crate) fn clamped(tenths: i64) -> Score {
        Score(u8::try_from(tenths.clamp(0, 100)).unwrap_or(100))
    }

    /// The score in tenths (98 for 9.8).
    pub const fn tenths(self) -> u8 {
        self.0
    }

    /// The score as a float, for JSON and charts (exact: every tenth round-trips).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 10.0
    }
}

impl fmt::Display for Score {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

impl serde::Serialize for Score {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

/// Qualitative severity. v3.x/v4.0 use all five (FIRST's scale); v2.0 uses Low/Medium/High
/// (NVD's ranges: 0.0–3.9, 4.0–6.9, 7.0–10.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Severity {
    /// 0.0 (v3.x, v4.0 only).
    None,
    /// 0.1–3.9 (v2.0: 0.0–3.9).
    Low,
    /// 4.0–6.9.
    Medium,
    /// 7.0–8.9 (v2.0: 7.0–10.0).
    High,
    /// 9.0–10.0 (v3.x, v4.0 only).
    Critical,
}

impl Severity {
    /// FIRST's rating scale (CVSS v3.x and v4.0).
    pub fn of_v3_v4(score: Score) -> Severity {
        match score.tenths() {
            0 => Severity::None,
            1..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            70..=89 => Severity::High,
            _ => Severity::Critical,
        }
    }

    /// NVD's ranges for CVSS v2.0, which has no rating scale of its own.
    pub fn of_v2(score: Score) -> Severity {
        match score.tenths() {
            0..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            _ => Severity::High,
        }
    }

    /// The name as FIRST writes it ("Critical").
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::None => "None",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }

    /// The name as the CVSS JSON schemas (and so CSAF) write it ("CRITICAL").
    pub const fn as_schema_str(self) -> &'static str {
        match self {
            Severity::None => "NONE",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
