//! Every vector of `shared/corpora/cvss` scores exactly as listed (issue 3).
//!
//! The corpus is found through `PSIRT_CORPORA` (default: `shared/corpora` next to the
//! repository). A missing corpus fails the tests: a skipped corpus would prove nothing.

// A test crate: helpers outside `#[test]` fns may panic like the tests themselves (clippy.toml).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::{io::Read, path::PathBuf};

use psirt_domain::cvss::{CvssVector, Score, Severity, Version};

fn corpus(relative: &str) -> PathBuf {
    let root = std::env::var_os("PSIRT_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora")
        });
    root.join("cvss").join(relative)
}

fn read(relative: &str) -> String {
    let path = corpus(relative);
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("CVSS corpus file {} is required: {e}", path.display()));
    if relative.ends_with(".gz") {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .unwrap();
        text
    } else {
        String::from_utf8(bytes).unwrap()
    }
}

fn lines(relative: &str) -> Vec<String> {
    let text = read(relative);
    let lines: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    assert!(!lines.is_empty(), "{relative} is empty");
    lines
}

/// "9.8" → tenths; "None" → None. Python prints "-0.0" for a v2 base of zero.
fn tenths(s: &str) -> Option<u8> {
    let s = s.trim().trim_matches(|c| c == '(' || c == ')' || c == ',');
    if s == "None" {
        return None;
    }
    let value: f64 = s.parse().unwrap_or_else(|_| panic!("bad score {s:?}"));
    Some((value.abs() * 10.0).round() as u8)
}

fn parse(vector: &str) -> CvssVector {
    CvssVector::parse(vector).unwrap_or_else(|e| panic!("{vector}: {e}"))
}

fn t(score: Score) -> u8 {
    score.tenths()
}

/// Red Hat's v2/v3 format: `<vector> - (base, temporal, environmental)`.
fn redhat_triples(file: &str) -> Vec<(String, [Option<u8>; 3])> {
    lines(&format!("redhat-cvss-tests/{file}"))
        .iter()
        .map(|line| {
            let (vector, scores) = line.split_once(" - ").unwrap();
            let s: Vec<Option<u8>> = scores.split(',').map(tenths).collect();
            (vector.to_string(), [s[0], s[1], s[2]])
        })
        .collect()
}

fn check_v2(vector: &str, expected: [Option<u8>; 3]) {
    let v = parse(vector);
    assert_eq!(v.version(), Version::V2_0);
    assert_eq!(Some(t(v.base_score())), expected[0], "base {vector}");
    assert_eq!(v.temporal_score().map(t), expected[1], "temporal {vector}");
    assert_eq!(
        v.environmental_score().map(t),
        expected[2],
        "environmental {vector}"
    );
}

/// Python always prints all three v3 scores; psirt defines temporal/environmental only when
/// such a metric is present. Without temporal metrics the listed temporal equals the base.
fn check_v3(vector: &str, expected: [Option<u8>; 3]) -> bool {
    let v = parse(vector);
    assert_eq!(Some(t(v.base_score())), expected[0], "base {vector}");
    match v.temporal_score() {
        Some(s) => assert_eq!(Some(t(s)), expected[1], "temporal {vector}"),
        None => assert_eq!(
            expected[1], expected[0],
            "temporal without metrics {vector}"
        ),
    }
    match v.environmental_score() {
        Some(s) => {
            assert_eq!(Some(t(s)), expected[2], "environmental {vector}");
            true
        }
        None => false,
    }
}

#[test]
fn redhat_v2_files() {
    let mut n = 0;
    for file in ["vectors_simple2", "vectors_calculator2", "vectors_cvsslib2"] {
        for (vector, expected) in redhat_triples(file) {
            check_v2(&vector, expected);
            n += 1;
        }
    }
    assert_eq!(n, 729 + 5 + 24);
}

#[test]
fn redhat_v3_files() {
    let mut n = 0;
    for file in [
        "vectors_simple3",
        "vectors_simple31",
        "vectors_calculator3",
        "vectors_cvsslib3",
    ] {
        for (vector, expected) in redhat_triples(file) {
            check_v3(&vector, expected);
            n += 1;
        }
    }
    assert_eq!(n, 2592 * 2 + 2 + 29);
}

/// `<vector> - (9.2,)` or `<vector> - 9.2` or `<vector> - 9.2 - Critical`.
fn check_v4_lines(file: &str) -> usize {
    let lines = lines(file);
    for line in &lines {
        let mut parts = line.split(" - ");
        let vector = parts.next().unwrap();
        let expected = tenths(parts.next().unwrap()).unwrap();
        let v = parse(vector);
        assert_eq!(v.version(), Version::V4_0);
        assert_eq!(t(v.overall_score()), expected, "{vector}");
        if let Some(severity) = parts.next() {
            assert_eq!(v.severity(v.overall_score()).as_str(), severity, "{vector}");
        }
        if v.environmental_score().is_none() && v.threat_score().is_none() {
            assert_eq!(v.base_score(), v.overall_score());
        }
    }
    lines.len()
}

#[test]
fn redhat_v4_files() {
    let mut n = 0;
    for file in [
        "vectors_simple4",
        "vectors_security4",
        "vectors_supplemental4",
        "vectors_threat4",
    ] {
        n += check_v4_lines(&format!("redhat-cvss-tests/{file}"));
    }
    assert_eq!(n, 1058 + 54 + 576 + 6);
}

#[test]
fn first_macro_vectors() {
    let scores = lines("first-cvss-resources/macro-scores");
    let vectors = lines("first-cvss-resources/macro-vectors");
    assert_eq!(scores.len(), 270);
    assert_eq!(vectors.len(), 270);
    for (line, listed_vector) in scores.iter().zip(&vectors) {
        let field = |name: &str| {
            let start = line.find(&format!("'{name}': ")).unwrap() + name.len() + 4;
            let rest = &line[start..];
            rest[..rest.find([',', '}']).unwrap()]
                .trim_matches('\'')
                .to_string()
        };
        let vector = field("vector");
        assert_eq!(&vector, listed_vector);
        let v = parse(&vector);
        assert_eq!(
            Some(t(v.overall_score())),
            tenths(&field("score")),
            "{vector}"
        );
        assert_eq!(
            v.severity(v.overall_score()).as_str(),
            field("severity"),
            "{vector}"
        );
    }
}

#[test]
fn all_v4_base_vectors() {
    assert_eq!(check_v4_lines("generated/v4_base_all.txt.gz"), 104_976);
}

#[test]
fn random_v4_vectors() {
    assert_eq!(check_v4_lines("generated/v4_random_10k.txt"), 10_000);
}

/// `<vector> - b t e - sevB sevT sevE`.
fn check_random_v3(file: &str, version: Version) -> (usize, usize) {
    let lines = lines(file);
    let mut with_env = 0;
    for line in &lines {
        let parts: Vec<&str> = line.split(" - ").collect();
        let s: Vec<Option<u8>> = parts[1].split_whitespace().map(tenths).collect();
        let sev: Vec<&str> = parts[2].split_whitespace().collect();
        let v = parse(parts[0]);
        assert_eq!(v.version(), version);
        with_env += usize::from(check_v3(parts[0], [s[0], s[1], s[2]]));
        assert_eq!(v.base_severity().as_str(), sev[0], "{line}");
        if let Some(s) = v.temporal_score() {
            assert_eq!(v.severity(s).as_str(), sev[1], "{line}");
        }
        if let Some(s) = v.environmental_score() {
            assert_eq!(v.severity(s).as_str(), sev[2], "{line}");
        }
    }
    (lines.len(), with_env)
}

#[test]
fn random_v31_vectors() {
    let (n, with_env) = check_random_v3("generated/v31_random_10k.txt", Version::V3_1);
    assert_eq!(n, 10_000);
    assert!(
        with_env > 9_000,
        "only {with_env} vectors had environmental metrics"
    );
}

#[test]
fn random_v30_vectors() {
    let (n, with_env) = check_random_v3("generated/v30_random_10k.txt", Version::V3_0);
    assert_eq!(n, 10_000);
    assert!(
        with_env > 9_000,
        "only {with_env} vectors had environmental metrics"
    );
}

#[test]
fn random_v2_vectors() {
    let lines = lines("generated/v2_random_10k.txt");
    assert_eq!(lines.len(), 10_000);
    for line in &lines {
        let (vector, scores) = line.split_once(" - ").unwrap();
        let s: Vec<Option<u8>> = scores.split_whitespace().map(tenths).collect();
        check_v2(vector, [s[0], s[1], s[2]]);
    }
}

#[test]
fn severity_scales() {
    let v2 = parse("AV:N/AC:L/Au:N/C:C/I:C/A:C");
    assert_eq!(
        (v2.base_score().to_string(), v2.base_severity()),
        ("10.0".into(), Severity::High)
    );
    let v31 = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H");
    assert_eq!(
        (v31.base_score().to_string(), v31.base_severity()),
        ("9.8".into(), Severity::Critical)
    );
    let none = parse("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N");
    assert_eq!(none.base_severity(), Severity::None);
}

/// The rounding decision (docs/CVSS.md): psirt's scores are the exact-decimal column; the
/// emulated JavaScript calculators reproduce the JS column; `csaf_scores` leaves out exactly
/// the scores on which they disagree.
#[test]
fn rounding_disagreements_follow_the_decision() {
    let lines = lines("generated/cvss_rounding_disagreements.txt");
    let (mut v2, mut v30) = (0, 0);
    for line in &lines {
        let cols: Vec<&str> = line.split(" | ").collect();
        let v = parse(cols[0]);
        let exact: Vec<Option<u8>> = cols[1].split_whitespace().map(tenths).collect();
        let js = v.js_calculator_tenths().unwrap();
        let csaf = v.csaf_scores();
        assert_eq!(Some(t(v.base_score())), exact[0], "{line}");
        assert_eq!(v.environmental_score().map(t), exact[2], "{line}");
        assert_eq!(csaf.base, v.base_score(), "{line}");
        match v.version() {
            Version::V2_0 => {
                v2 += 1;
                assert_eq!(v.temporal_score().map(t), exact[1], "{line}");
                let js_env: f64 = cols[2]
                    .trim()
                    .strip_prefix("env=")
                    .unwrap()
                    .parse()
                    .unwrap();
                assert_eq!(js.2, Some((js_env * 10.0).round() as i64), "{line}");
                assert_eq!(csaf.environmental, None, "{line}");
                assert_eq!(csaf.temporal, v.temporal_score(), "{line}");
            }
            Version::V3_0 => {
                v30 += 1;
                let listed_js: Vec<i64> = cols[2]
                    .split_whitespace()
                    .map(|s| i64::from(tenths(s).unwrap()))
                    .collect();
                assert_eq!(
                    js,
                    (Some(listed_js[0]), Some(listed_js[1]), Some(listed_js[2])),
                    "{line}"
                );
                let temporal = v.temporal_score().map_or(exact[0], |s| Some(t(s)));
                assert_eq!(temporal, exact[1], "{line}");
                let keep = |ours: Option<Score>, js: i64| ours.filter(|s| i64::from(t(*s)) == js);
                assert_eq!(
                    csaf.temporal,
                    keep(v.temporal_score(), listed_js[1]),
                    "{line}"
                );
                assert_eq!(
                    csaf.environmental,
                    keep(v.environmental_score(), listed_js[2]),
                    "{line}"
                );
                assert!(
                    csaf.temporal != v.temporal_score()
                        || csaf.environmental != v.environmental_score()
                );
            }
            other => panic!("unexpected version {other} in {line}"),
        }
    }
    assert_eq!((v2, v30), (76, 15));
}

/// On the random sets, `csaf_scores` drops a score exactly for the listed disagreements.
#[test]
fn csaf_scores_drop_only_disagreements() {
    let listed: std::collections::HashSet<String> =
        lines("generated/cvss_rounding_disagreements.txt")
            .iter()
            .map(|l| l.split(" | ").next().unwrap().to_string())
            .collect();
    for file in [
        "generated/v2_random_10k.txt",
        "generated/v30_random_10k.txt",
        "generated/v31_random_10k.txt",
    ] {
        for line in lines(file) {
            let vector = line.split(" - ").next().unwrap();
            let v = parse(vector);
            let csaf = v.csaf_scores();
            let dropped = csaf.temporal != v.temporal_score()
                || csaf.environmental != v.environmental_score();
            assert_eq!(dropped, listed.contains(vector), "{vector}");
        }
    }
}

/// Base scores never disagree: every v3.0 base vector scores the same in FIRST's float
/// calculator, so `csaf_scores().base` is always safe to publish.
#[test]
fn v30_base_scores_agree_with_first_javascript() {
    let mut n = 0;
    for (vector, _) in redhat_triples("vectors_simple3") {
        let v = parse(&vector);
        let (base, ..) = v.js_calculator_tenths().unwrap();
        assert_eq!(base, Some(i64::from(t(v.base_score()))), "{vector}");
        n += 1;
    }
    assert_eq!(n, 2592);
}
