//! `psirt policy` end to end through `run`, without a process.

use std::process::ExitCode;

use clap::Parser;
use serde_json::{Value, json};

use super::{PolicyArgs, run};

#[derive(Debug, Parser)]
struct Harness {
    #[command(flatten)]
    args: PolicyArgs,
}

fn policy(argv: &[&str]) -> (ExitCode, String, String) {
    let mut full = vec!["policy"];
    full.extend_from_slice(argv);
    let h = Harness::try_parse_from(full).unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run(&h.args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn list_names_every_preset() {
    let (code, out, _) = policy(&["list"]);
    assert_eq!(code, ExitCode::SUCCESS);
    let ids: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "bms-asil",
            "cvd-cvss",
            "iec62443",
            "consumer-5tier",
            "default"
        ]
    );
}

#[test]
fn show_gives_grades_derivation_milestones_and_calendar() {
    let (code, out, _) = policy(&["show", "bms-asil"]);
    assert_eq!(code, ExitCode::SUCCESS);
    for needle in [
        "critical   Critical Risk (ASIL-C/D)",
        "ASIL D → critical, C → critical, B → medium, A → low, QM → low",
        "CAN Bus Message Injection → medium",
        "medium-full-remediation      7 working days after confirmed — medium",
        "Calendar: Asia/Shanghai",
        "Regimes always applied: miit",
        "at least 90 days",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in\n{out}");
    }
    let (code, _, err) = policy(&["show", "nope"]);
    assert_eq!((code, err.lines().count()), (ExitCode::from(2), 1));
}

#[test]
fn deadlines_json_lists_pre_grading_and_regime_milestones() {
    let (code, out, err) = policy(&[
        "deadlines",
        "--policy",
        "iec62443",
        "--grade",
        "high",
        "--regime",
        "cra",
        "--json",
        "--event",
        "received=2026-02-16T09:00:00+08:00",
        "--event",
        "confirmed=2026-03-02T10:00:00+08:00",
        "--event",
        "aware_of_exploitation=2026-10-01T08:00:00Z",
    ]);
    assert_eq!(code, ExitCode::SUCCESS, "{err}");
    let doc: Value = serde_json::from_str(&out).unwrap();
    let rows: Vec<Value> = doc["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json!([m["name"], m["start_event"], m["due_at"], m["regime"]]))
        .collect();
    assert_eq!(
        rows,
        vec![
            json!([
                "Initial assessment (applicability, reproducibility, exploitability)",
                "received",
                "2026-03-06T23:59:59+08:00",
                null
            ]),
            json!([
                "Early notification (High)",
                "confirmed",
                "2026-03-04T10:00:00+08:00",
                null
            ]),
            json!([
                "Detailed report (High)",
                "confirmed",
                "2026-03-09T10:00:00+08:00",
                null
            ]),
            json!([
                "Emergency patch target (CVSS ≥ 7.0)",
                "confirmed",
                "2026-04-01T10:00:00+08:00",
                null
            ]),
            json!([
                "Patch and final announcement (High)",
                "confirmed",
                "2026-04-16T10:00:00+08:00",
                null
            ]),
            json!([
                "CRA early warning to the CSIRT coordinator and ENISA",
                "aware_of_exploitation",
                "2026-10-02T10:00:00+02:00",
                "cra"
            ]),
            json!([
                "CRA vulnerability notification",
                "aware_of_exploitation",
                "2026-10-04T10:00:00+02:00",
                "cra"
            ]),
            json!(["CRA final report", "fix_available", null, "cra"]),
        ]
    );
}

#[test]
fn deadlines_text_lists_the_policys_own_regimes() {
    let (code, out, _) = policy(&[
        "deadlines",
        "--policy",
        "bms-asil",
        "--grade",
        "low",
        "--event",
        "received=2026-03-02T09:00:00+08:00",
    ]);
    assert_eq!(code, ExitCode::SUCCESS);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(
        lines[0].starts_with("2026-03-04T09:00:00+08:00  received"),
        "{out}"
    );
    assert!(lines[1].starts_with("(waits for confirmed)"), "{out}");
    assert!(lines[2].ends_with("[miit]"), "{out}");
}

#[test]
fn bad_input_exits_2_with_one_line() {
    for argv in [
        &["deadlines", "--policy", "iec62443", "--grade", "serious"][..],
        &["deadlines", "--policy", "nope", "--grade", "high"],
        &[
            "deadlines",
            "--policy",
            "iec62443",
            "--event",
            "recieved=2026-03-02T09:00:00Z",
        ],
        &[
            "deadlines",
            "--policy",
            "iec62443",
            "--event",
            "received=yesterday",
        ],
        &["deadlines", "--policy", "iec62443", "--event", "received"],
        &["deadlines", "--policy", "iec62443", "--regime", "gdpr"],
    ] {
        let (code, out, err) = policy(argv);
        assert_eq!(code, ExitCode::from(2), "{argv:?}");
        assert_eq!(err.lines().count(), 1, "{argv:?}: {err}");
        assert!(out.is_empty());
    }
}

#[test]
fn check_accepts_a_valid_file_and_locates_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("mine.toml");
    let text = psirt_domain::policy::presets::text("consumer-5tier").unwrap();
    std::fs::write(&good, text).unwrap();
    let (code, out, _) = policy(&["check", good.to_str().unwrap()]);
    assert_eq!(code, ExitCode::SUCCESS);
    assert!(
        out.contains("ok: policy `consumer-5tier` with 5 grades and 10 milestones"),
        "{out}"
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, text.replacen("hours = 12\n", "hours = -12\n", 1)).unwrap();
    let (code, _, err) = policy(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, ExitCode::from(2));
    let line = text[..text.find("hours = 12\n").unwrap()]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(
        err.trim(),
        format!(
            "{}:{line}:9: milestones[1].hours: must be positive, got -12",
            bad.display()
        )
    );
}
