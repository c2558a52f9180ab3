//! CVSS v2.0, v3.0, v3.1 and v4.0: parsing, scoring and severity names.
//!
//! [`CvssVector::parse`] is the only way in: once you hold a `CvssVector` it is valid, and its
//! scores are exact [`Score`]s (tenths). Bad input gets a [`CvssError`] naming the metric or
//! token that is wrong; nothing here panics.
//!
//! # Why not (only) the `cvss` crate
//! `cvss` 3.0.0 (RustSec) was checked against `shared/corpora/cvss` and is not used:
//! * v3.x: no temporal score; v3.0 rounding in `f64` (`ceil(x*10)/10`), which gives FIRST's
//!   JavaScript results, not the specification's decimal ones, on 15 of the 10,000 random
//!   vectors; v3.1 Roundup truncates instead of rounding to 5 decimals; mandatory metrics are
//!   not checked (`CVSS:3.1/AV:N` parses); metric names and values are case-insensitive.
//! * v4.0: one score from all metrics (no separate CVSS-B/BT/BE), builds strings and vectors
//!   per score (slow), and counts a lower MacroVector whose score is *higher* as a neighbour
//!   where FIRST's calculator skips it.
//! * errors are generic (`InvalidComponent`), not the token and metric at fault.
//!
//! psirt therefore parses with one table-driven parser ([`parse`]), scores v2.0/v3.x in exact
//! decimal fixed point ([`decimal`]) and v4.0 with FIRST's algorithm on integers ([`v4`]).
//!
//! # Rounding: which calculator psirt follows
//! psirt computes the **specification's decimal arithmetic** (as NVD and Red Hat's Python
//! `cvss` do). FIRST's v3.0 JavaScript calculator and csaf-validator-lib's v2.0
//! environmental formula compute in binary floats and differ by 0.1 on a few vectors whose
//! exact value sits on a rounding boundary (`generated/cvss_rounding_disagreements.txt`).
//! v3.1 (Appendix A Roundup) and v4.0 (the reference algorithm itself) have no such cases.
//! For CSAF, whose test 6.1.9 recomputes scores with those JavaScript calculators,
//! [`CvssVector::csaf_scores`] leaves out an (optional) temporal or environmental score
//! where the two disagree, so psirt never publishes a value the validator flags and never
//! publishes a non-spec value either. Base scores never disagree (checked for every v2.0 and
//! v3.0 base vector in the tests). See `docs/CVSS.md`.

mod decimal;
mod error;
mod parse;
mod score;
mod v2;
mod v3;
mod v4;

use std::{fmt, hash, str::FromStr, sync::OnceLock};

pub use error::CvssError;
pub use score::{Score, Severity};
pub use v4::{
    Automatable, Nomenclature, ProviderUrgency, Recovery, ResponseEffort, Safety, Supplemental,
    ValueDensity,
};

/// A CVSS version psirt can parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Version {
    /// CVSS v2.0 (vectors have no prefix).
    #[serde(rename = "2.0")]
    V2_0,
    /// CVSS v3.0.
    #[serde(rename = "3.0")]
    V3_0,
    /// CVSS v3.1.
    #[serde(rename = "3.1")]
    V3_1,
    /// CVSS v4.0.
    #[serde(rename = "4.0")]
    V4_0,
}

impl Version {
    /// "2.0", "3.0", "3.1" or "4.0".
    pub const fn as_str(self) -> &'static str {
        match self {
            Version::V2_0 => "2.0",
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Parsed {
    V2(v2::V2),
    V3(v3::V3),
    V4(v4::V4),
}

/// A valid CVSS vector of any supported version, with its canonical string (metrics in
/// specification order, values as given, `X`/`ND` kept) and its scores, computed once when
/// it is parsed.
///
/// The canonical string is a function of the parsed values, so it is rendered on the first
/// [`Self::as_str`] (as Red Hat's `cvss` renders `clean_vector()` on demand): most vectors are
/// parsed to be scored, and the copy would be a tenth of the parse. Equality and hashing use
/// the parsed values, which determine the string.
#[derive(Clone)]
pub struct CvssVector {
    canonical: OnceLock<String>,
    parsed: Parsed,
    scores: Scores,
}

impl PartialEq for CvssVector {
    fn eq(&self, other: &Self) -> bool {
        self.parsed == other.parsed
    }
}

impl Eq for CvssVector {}

impl hash::Hash for CvssVector {
    fn hash<H: hash::Hasher>(&self, state: &mut H) {
        self.parsed.hash(state);
    }
}

impl fmt::Debug for CvssVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvssVector")
            .field("canonical", &self.as_str())
            .field("parsed", &self.parsed)
            .field("scores", &self.scores)
            .finish()
    }
}

/// Every score a vector defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Scores {
    base: Score,
    temporal: Option<Score>,
    threat: Option<Score>,
    environmental: Option<Score>,
}

impl Scores {
    fn of(parsed: &Parsed) -> Scores {
        let (base, temporal, threat, environmental) = match parsed {
            Parsed::V2(v) => {
                let (b, t, e) = v.scores();
                (b, t, None, e)
            }
            Parsed::V3(v) => {
                let (b, t, e) = v.scores();
                (b, t, None, e)
            }
            Parsed::V4(v) => (
                v.score(false, false),
                None,
                v.has_threat().then(|| v.score(true, false)),
                v.has_environmental().then(|| v.score(true, true)),
            ),
        };
        Scores {
            base: Score::clamped(base),
            temporal: temporal.map(Score::clamped),
            threat: threat.map(Score::clamped),
            environmental: environmental.map(Score::clamped),
        }
    }
}

/// The scores psirt puts into a CSAF document for this vector (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsafScores {
    /// Always present (mandatory in the CVSS JSON schemas).
    pub base: Score,
    /// v2.0/v3.x temporal score, when defined and agreed on by the validators' calculator.
    pub temporal: Option<Score>,
    /// v4.0 CVSS-BT score, when threat metrics are defined.
    pub threat: Option<Score>,
    /// Environmental score, when defined and agreed on by the validators' calculator.
    pub environmental: Option<Score>,
}

impl CvssVector {
    /// Parses a vector: `CVSS:3.0/…`, `CVSS:3.1/…`, `CVSS:4.0/…`, or a bare v2.0 vector.
    pub fn parse(input: &str) -> Result<CvssVector, CvssError> {
        // The usual prefixes are recognised by their bytes (cheaper than splitting).
        let (head, body) = match (input.get(..8), input.get(8..)) {
            (Some(head), Some(body)) if body.starts_with('/') && head.starts_with("CVSS:") => {
                (head, body.get(1..).unwrap_or_default())
            }
            _ if input.trim().is_empty() => return Err(CvssError::Empty),
            _ => input.split_once('/').unwrap_or((input, "")),
        };
        let Some(version) = head.strip_prefix("CVSS:") else {
            return Self::parse_bare(input, head);
        };
        // Byte patterns, not `str` equality (a `memcmp` call each).
        let parsed = match version.as_bytes() {
            b"3.0" | b"3.1" => {
                let values = parse::parse_body(
                    body,
                    &v3::METRICS,
                    &v3::LOOKUP,
                    Self::version_of(version),
                    2,
                )?;
                let minor = u8::from(version.as_bytes() == b"3.1");
                Parsed::V3(v3::V3 { minor, values })
            }
            b"4.0" => {
                let values = parse::parse_body(body, &v4::METRICS, &v4::LOOKUP, Version::V4_0, 2)?;
                Parsed::V4(v4::V4(values))
            }
            _ => {
                return Err(CvssError::UnsupportedVersion {
                    version: error::echo(version),
                });
            }
        };
        Ok(CvssVector::new(parsed))
    }

    fn new(parsed: Parsed) -> CvssVector {
        CvssVector {
            canonical: OnceLock::new(),
            scores: Scores::of(&parsed),
            parsed,
        }
    }

    fn version_of(minor: &str) -> Version {
        if minor.as_bytes() == b"3.1" {
            Version::V3_1
        } else {
            Version::V3_0
        }
    }

    /// A vector without `CVSS:` prefix: v2.0, or a prefix error when it is clearly not v2.0.
    fn parse_bare(input: &str, head: &str) -> Result<CvssVector, CvssError> {
        let (key, value) = head.split_once(':').unwrap_or((head, ""));
        if key.eq_ignore_ascii_case("CVSS")
            || value.chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            return Err(CvssError::WrongPrefix {
                found: error::echo(head),
            });
        }
        match parse::parse_body(input, &v2::METRICS, &v2::LOOKUP, Version::V2_0, 1) {
            Ok(values) => Ok(CvssVector::new(Parsed::V2(v2::V2(values)))),
            Err(CvssError::UnknownMetric { metric, .. })
                if v3::METRICS
                    .iter()
                    .chain(v4::METRICS.iter())
                    .any(|d| d.key == metric) =>
            {
                Err(CvssError::MissingPrefix { metric })
            }
            Err(e) => Err(e),
        }
    }

    /// The CVSS version.
    pub fn version(&self) -> Version {
        match &self.parsed {
            Parsed::V2(_) => Version::V2_0,
            Parsed::V3(v) if v.minor == 0 => Version::V3_0,
            Parsed::V3(_) => Version::V3_1,
            Parsed::V4(_) => Version::V4_0,
        }
    }

    /// The canonical vector string (the input itself when its metrics were in order).
    pub fn as_str(&self) -> &str {
        self.canonical.get_or_init(|| match &self.parsed {
            Parsed::V2(v) => parse::canonical("", &v2::METRICS, &v.0),
            Parsed::V3(v) => {
                let prefix = if v.minor == 0 { "CVSS:3.0" } else { "CVSS:3.1" };
                parse::canonical(prefix, &v3::METRICS, &v.values)
            }
            Parsed::V4(v) => parse::canonical("CVSS:4.0", &v4::METRICS, &v.0),
        })
    }

    /// Base score (v4.0: CVSS-B, from base metrics only).
    pub fn base_score(&self) -> Score {
        self.scores.base
    }

    /// Severity of the base score.
    pub fn base_severity(&self) -> Severity {
        self.severity(self.base_score())
    }

    /// v2.0/v3.x temporal score, when a temporal metric is defined (not `X`/`ND`).
    pub fn temporal_score(&self) -> Option<Score> {
        self.scores.temporal
    }

    /// v4.0 CVSS-BT score (base and threat metrics, environmental ones ignored), when Exploit
    /// Maturity is defined.
    pub fn threat_score(&self) -> Option<Score> {
        self.scores.threat
    }

    /// Environmental score when an environmental metric is defined; for v4.0 this is the
    /// CVSS-BE or CVSS-BTE score (every metric present).
    pub fn environmental_score(&self) -> Option<Score> {
        self.scores.environmental
    }

    /// The most specific score the vector defines: environmental, else temporal/threat, else
    /// base. For v4.0 it is the score FIRST's calculator shows for the whole vector.
    pub fn overall_score(&self) -> Score {
        self.environmental_score()
            .or_else(|| self.threat_score())
            .or_else(|| self.temporal_score())
            .unwrap_or_else(|| self.base_score())
    }

    /// v4.0 nomenclature of [`Self::overall_score`]; `None` for other versions.
    pub fn nomenclature(&self) -> Option<Nomenclature> {
        match &self.parsed {
            Parsed::V4(v) => Some(v.nomenclature()),
            _ => None,
        }
    }

    /// v4.0 supplemental metrics; `None` for other versions.
    pub fn supplemental(&self) -> Option<Supplemental> {
        match &self.parsed {
            Parsed::V4(v) => Some(v.supplemental()),
            _ => None,
        }
    }

    /// Severity of any score of this vector, on this version's scale.
    pub fn severity(&self, score: Score) -> Severity {
        match self.version() {
            Version::V2_0 => Severity::of_v2(score),
            _ => Severity::of_v3_v4(score),
        }
    }

    /// The scores to publish in CSAF: those the CSAF validators' JavaScript calculators
    /// (test 6.1.9) compute identically. See the module doc.
    pub fn csaf_scores(&self) -> CsafScores {
        let mut scores = CsafScores {
            base: self.base_score(),
            temporal: self.temporal_score(),
            threat: self.threat_score(),
            environmental: self.environmental_score(),
        };
        match &self.parsed {
            Parsed::V2(v) => {
                let agrees = |s: Score| {
                    v.environmental_js()
                        .is_none_or(|js| js == i64::from(s.tenths()))
                };
                scores.environmental = scores.environmental.filter(|s| agrees(*s));
            }
            Parsed::V3(v) if v.minor == 0 => {
                let (_, temporal, environmental) = v.scores_js30();
                scores.temporal = scores
                    .temporal
                    .filter(|s| i64::from(s.tenths()) == temporal);
                scores.environmental = scores
                    .environmental
                    .filter(|s| i64::from(s.tenths()) == environmental);
            }
            _ => {}
        }
        scores
    }

    /// (base, temporal, environmental) as the CSAF validators' JavaScript computes them, in
    /// tenths, unclamped; `None` where psirt does not emulate that calculator (v3.1 and v4.0
    /// agree with the specification; v2.0 base/temporal use the npm `cvss2js` package).
    pub fn js_calculator_tenths(&self) -> Option<(Option<i64>, Option<i64>, Option<i64>)> {
        match &self.parsed {
            Parsed::V2(v) => Some((None, None, v.environmental_js())),
            Parsed::V3(v) if v.minor == 0 => {
                let (b, t, e) = v.scores_js30();
                Some((Some(b), Some(t), Some(e)))
            }
            _ => None,
        }
    }
}

impl FromStr for CvssVector {
    type Err = CvssError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CvssVector::parse(s)
    }
}

impl fmt::Display for CvssVector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for CvssVector {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for CvssVector {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CvssVector::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
