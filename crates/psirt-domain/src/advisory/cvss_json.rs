//! CVSS vectors as the JSON objects of FIRST's CVSS schemas (`cvss-v3.x.json`, `cvss-v4.0.json`),
//! which CSAF 2.0 (`scores[].cvss_v3`) and CVE JSON 5.1 (`metrics[].cvssV3_1`, `cvssV4_0`) embed.
//!
//! Every metric of the vector becomes its named field (CSAF test 6.1.10 checks that the fields
//! agree with the vector); scores come from [`CvssVector::csaf_scores`], so no score is
//! published that the validators' JavaScript calculators (test 6.1.9) compute differently.

use serde_json::{Map, Value, json};

use crate::cvss::{CvssVector, Score, Version};

/// `(abbreviation, JSON field, [(value, JSON value)])` for v3.x.
type MetricNames = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const AV: &[(&str, &str)] = &[
    ("N", "NETWORK"),
    ("A", "ADJACENT_NETWORK"),
    ("L", "LOCAL"),
    ("P", "PHYSICAL"),
];
const LH: &[(&str, &str)] = &[("L", "LOW"), ("H", "HIGH")];
const NLH: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")];
const UI: &[(&str, &str)] = &[("N", "NONE"), ("R", "REQUIRED")];
const SCOPE: &[(&str, &str)] = &[("U", "UNCHANGED"), ("C", "CHANGED")];
const E: &[(&str, &str)] = &[
    ("U", "UNPROVEN"),
    ("P", "PROOF_OF_CONCEPT"),
    ("F", "FUNCTIONAL"),
    ("H", "HIGH"),
];
const RL: &[(&str, &str)] = &[
    ("O", "OFFICIAL_FIX"),
    ("T", "TEMPORARY_FIX"),
    ("W", "WORKAROUND"),
    ("U", "UNAVAILABLE"),
];
const RC: &[(&str, &str)] = &[("U", "UNKNOWN"), ("R", "REASONABLE"), ("C", "CONFIRMED")];
const REQ: &[(&str, &str)] = &[("L", "LOW"), ("M", "MEDIUM"), ("H", "HIGH")];

const V3_METRICS: &[MetricNames] = &[
    ("AV", "attackVector", AV),
    ("AC", "attackComplexity", LH),
    ("PR", "privilegesRequired", NLH),
    ("UI", "userInteraction", UI),
    ("S", "scope", SCOPE),
    ("C", "confidentialityImpact", NLH),
    ("I", "integrityImpact", NLH),
    ("A", "availabilityImpact", NLH),
    ("E", "exploitCodeMaturity", E),
    ("RL", "remediationLevel", RL),
    ("RC", "reportConfidence", RC),
    ("CR", "confidentialityRequirement", REQ),
    ("IR", "integrityRequirement", REQ),
    ("AR", "availabilityRequirement", REQ),
    ("MAV", "modifiedAttackVector", AV),
    ("MAC", "modifiedAttackComplexity", LH),
    ("MPR", "modifiedPrivilegesRequired", NLH),
    ("MUI", "modifiedUserInteraction", UI),
    ("MS", "modifiedScope", SCOPE),
    ("MC", "modifiedConfidentialityImpact", NLH),
    ("MI", "modifiedIntegrityImpact", NLH),
    ("MA", "modifiedAvailabilityImpact", NLH),
];

/// The JSON name of one metric value; `X` is `NOT_DEFINED` everywhere.
fn value_name(values: &[(&str, &'static str)], value: &str) -> Option<&'static str> {
    if value == "X" {
        return Some("NOT_DEFINED");
    }
    values
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, name)| *name)
}

/// `(metric, value)` pairs of a vector string, after its `CVSS:x.y` prefix.
fn metrics(vector: &str) -> impl Iterator<Item = (&str, &str)> {
    vector
        .split('/')
        .filter(|part| !part.starts_with("CVSS:"))
        .filter_map(|part| part.split_once(':'))
}

fn score_fields(
    out: &mut Map<String, Value>,
    vector: &CvssVector,
    key: &str,
    score: Option<Score>,
) {
    if let Some(score) = score {
        out.insert(format!("{key}Score"), json!(score.as_f64()));
        out.insert(
            format!("{key}Severity"),
            json!(vector.severity(score).as_schema_str()),
        );
    }
}

/// A v3.0/v3.1 vector as a `cvss-v3.x.json` object; `None` for other versions.
pub fn v3(vector: &CvssVector) -> Option<Value> {
    let version = vector.version();
    if !matches!(version, Version::V3_0 | Version::V3_1) {
        return None;
    }
    let mut out = Map::new();
    out.insert("version".into(), json!(version.as_str()));
    out.insert("vectorString".into(), json!(vector.as_str()));
    for (metric, value) in metrics(vector.as_str()) {
        let field = V3_METRICS.iter().find(|(m, _, _)| *m == metric);
        if let Some((_, field, values)) = field
            && let Some(name) = value_name(values, value)
        {
            out.insert((*field).into(), json!(name));
        }
    }
    let scores = vector.csaf_scores();
    score_fields(&mut out, vector, "base", Some(scores.base));
    score_fields(&mut out, vector, "temporal", scores.temporal);
    score_fields(&mut out, vector, "environmental", scores.environmental);
    Some(Value::Object(out))
}

/// A v4.0 vector as the `cvssV4_0` object of CVE JSON 5.1.1: version, vector, and the
/// CVSS-B base score and severity; `None` for other versions. That schema has no threat or
/// environmental score fields (FIRST's later v4.0 schema does): the vector string carries the
/// threat and environmental metrics, and consumers compute CVSS-BT/BE from it.
pub fn v4(vector: &CvssVector) -> Option<Value> {
    if vector.version() != Version::V4_0 {
        return None;
    }
    let mut out = Map::new();
    out.insert("version".into(), json!("4.0"));
    out.insert("vectorString".into(), json!(vector.as_str()));
    score_fields(&mut out, vector, "base", Some(vector.base_score()));
    Some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_fields_follow_the_vector() {
        let vector =
            CvssVector::parse("CVSS:3.1/AV:A/AC:H/PR:L/UI:R/S:C/C:H/I:L/A:N/E:P/MAV:X").unwrap();
        let json = v3(&vector).unwrap();
        assert_eq!(json["attackVector"], "ADJACENT_NETWORK");
        assert_eq!(json["scope"], "CHANGED");
        assert_eq!(json["exploitCodeMaturity"], "PROOF_OF_CONCEPT");
        assert_eq!(json["modifiedAttackVector"], "NOT_DEFINED");
        assert_eq!(json["baseScore"], json!(vector.base_score().as_f64()));
        assert!(json.get("temporalScore").is_some());
        assert!(v4(&vector).is_none());
    }

    #[test]
    fn v4_has_the_required_fields() {
        let vector =
            CvssVector::parse("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")
                .unwrap();
        let json = v4(&vector).unwrap();
        assert_eq!(json["baseScore"], json!(9.3));
        assert_eq!(json["baseSeverity"], "CRITICAL");
        assert!(v3(&vector).is_none());
    }
}
