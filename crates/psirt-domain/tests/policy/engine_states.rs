//! Milestone states, pauses, extensions and regimes.

use psirt_domain::policy::engine::{self, State};
use psirt_domain::policy::regime::{self, CaseFacts, RegimeId};
use psirt_domain::policy::timeline::{Extension, ExtensionError, Timeline};
use psirt_domain::policy::{Policy, StartEvent::*};

use super::{assert_dues, ts};

fn state_of(
    policy: &Policy,
    grade: &str,
    timeline: &Timeline,
    now: &str,
    id: &str,
) -> (State, Option<jiff::Timestamp>) {
    let statuses = engine::evaluate(policy, policy.grade(grade), &[], timeline, ts(now));
    let s = statuses.iter().find(|s| s.milestone.id == id).unwrap();
    (s.state, s.due_at)
}

#[test]
fn states_follow_the_clock() {
    let p = Policy::load_preset("bms-asil").unwrap();
    let mut t = Timeline::new();
    // verification: 48 h from 2026-03-02T01:00Z, at risk after 75 % (36 h).
    t.record(Received, ts("2026-03-02T01:00:00Z"));
    let at = |now, t: &Timeline| state_of(&p, "critical", t, now, "verification").0;
    assert_eq!(at("2026-03-03T12:59:59Z", &t), State::Pending);
    assert_eq!(at("2026-03-03T13:00:00Z", &t), State::AtRisk);
    assert_eq!(at("2026-03-04T01:00:00Z", &t), State::AtRisk);
    assert_eq!(at("2026-03-04T01:00:01Z", &t), State::Breached);
    assert_eq!(
        state_of(
            &p,
            "critical",
            &t,
            "2026-03-02T02:00:00Z",
            "critical-fix-tested"
        ),
        (State::NotStarted, None)
    );
    t.met("verification", ts("2026-03-03T00:00:00Z"));
    assert_eq!(at("2026-03-09T00:00:00Z", &t), State::Met);
    t.met("verification", ts("2026-03-04T02:00:00Z"));
    assert_eq!(at("2026-03-09T00:00:00Z", &t), State::MetLate);
}

#[test]
fn waiting_for_the_reporter_pushes_policy_clocks_back_when_the_policy_says_so() {
    let p = Policy::load_preset("iec62443").unwrap();
    assert!(p.pause_while_waiting_for_reporter);
    let mut t = Timeline::new();
    t.record(Confirmed, ts("2026-03-02T02:00:00Z"));
    t.pause(ts("2026-03-02T04:00:00Z"), Some(ts("2026-03-02T10:00:00Z")));
    t.pause(ts("2026-03-02T08:00:00Z"), Some(ts("2026-03-02T12:00:00Z"))); // overlaps: merged
    t.pause(ts("2026-03-10T00:00:00Z"), Some(ts("2026-03-11T00:00:00Z"))); // after the due time
    let (_, due) = state_of(
        &p,
        "critical",
        &t,
        "2026-03-02T05:00:00Z",
        "critical-early-notification",
    );
    assert_eq!(due, Some(ts("2026-03-03T10:00:00Z")));
    // A wait still open counts until now.
    let mut open = Timeline::new();
    open.record(Confirmed, ts("2026-03-02T02:00:00Z"));
    open.pause(ts("2026-03-02T03:00:00Z"), None);
    let (_, due) = state_of(
        &p,
        "critical",
        &open,
        "2026-03-02T05:00:00Z",
        "critical-early-notification",
    );
    assert_eq!(due, Some(ts("2026-03-03T04:00:00Z")));
    // bms-asil does not pause.
    let bms = Policy::load_preset("bms-asil").unwrap();
    t.record(Received, ts("2026-03-02T02:00:00Z"));
    assert_eq!(
        state_of(&bms, "critical", &t, "2026-03-02T05:00:00Z", "verification").1,
        Some(ts("2026-03-04T02:00:00Z"))
    );
}

#[test]
fn an_extension_needs_reason_and_approver_and_keeps_the_original_due_time() {
    let original = ts("2026-03-04T02:00:00Z");
    let later = ts("2026-03-06T02:00:00Z");
    assert_eq!(
        Extension::grant("verification", original, later, "  ", "pso"),
        Err(ExtensionError::NoReason)
    );
    assert_eq!(
        Extension::grant("verification", original, later, "lab closed", ""),
        Err(ExtensionError::NoApprover)
    );
    assert!(matches!(
        Extension::grant("verification", original, original, "r", "a"),
        Err(ExtensionError::NotLater { .. })
    ));
    let ext = Extension::grant(
        "verification",
        original,
        later,
        "test rig down",
        "pso@example.com",
    )
    .unwrap();

    let p = Policy::load_preset("bms-asil").unwrap();
    let mut t = Timeline::new();
    t.record(Received, ts("2026-03-02T02:00:00Z"));
    t.extend(ext);
    let miit = regime::load_all(&[RegimeId::Miit]).unwrap();
    let statuses = engine::evaluate(&p, p.grade("low"), &miit, &t, ts("2026-03-05T00:00:00Z"));
    let v = statuses
        .iter()
        .find(|s| s.milestone.id == "verification")
        .unwrap();
    assert_eq!(
        (v.original_due_at, v.due_at, v.state),
        (Some(original), Some(later), State::Pending)
    );
    assert_eq!(v.extension.unwrap().approver(), "pso@example.com");
    assert_eq!(v.extension.unwrap().original_due(), original);
    // Legal deadlines are never extended.
    t.extend(
        Extension::grant(
            "miit-nvdb-report",
            ts("2026-03-04T02:00:00Z"),
            later,
            "r",
            "a",
        )
        .unwrap(),
    );
    let statuses = engine::evaluate(&p, p.grade("low"), &miit, &t, ts("2026-03-05T00:00:00Z"));
    let m = statuses
        .iter()
        .find(|s| s.milestone.id == "miit-nvdb-report")
        .unwrap();
    assert_eq!(
        (m.due_at, m.extension, m.state),
        (Some(ts("2026-03-04T02:00:00Z")), None, State::Breached)
    );
}

#[test]
fn cra_milestones_run_from_awareness_and_from_the_fix() {
    let p = Policy::load_preset("default").unwrap();
    let ev = [
        (AwareOfExploitation, "2026-10-01T08:00:00Z"),
        (FixAvailable, "2026-10-20T12:00:00Z"),
    ];
    assert_dues(
        &p,
        None,
        &[RegimeId::Cra],
        &ev,
        &[
            ("acknowledgement", "-"),
            ("initial-assessment", "-"),
            ("first-status-update", "-"),
            ("disclosure-target", "-"),
            ("advisory-after-fix", "2026-10-27T12:00:00Z"),
            ("cra-early-warning", "2026-10-02T08:00:00Z"),
            ("cra-notification", "2026-10-04T08:00:00Z"),
            // 14 civil days in Brussels across the end of summer time: 14:00 CEST → 14:00 CET.
            ("cra-final-report", "2026-11-03T14:00:00+01:00"),
        ],
    );
}

#[test]
fn miit_report_is_due_two_days_after_receipt_in_china_time() {
    let p = Policy::load_preset("cvd-cvss").unwrap();
    assert_dues(
        &p,
        Some("high"),
        &[RegimeId::Miit],
        &[(Received, "2026-03-02T23:30:00+08:00")],
        &[
            ("email-confirmation", "2026-03-03T23:30:00+08:00"),
            ("miit-nvdb-report", "2026-03-04T23:30:00+08:00"),
        ],
    );
    let miit = regime::load(RegimeId::Miit).unwrap();
    assert_eq!(miit.retention[0].minimum.to_string(), "6 months");
}

#[test]
fn regimes_apply_from_case_facts() {
    let cvd = Policy::load_preset("cvd-cvss").unwrap();
    let bms = Policy::load_preset("bms-asil").unwrap();
    let exploited = Some(ts("2026-10-01T00:00:00Z"));
    let facts = |eu, cn, aware| CaseFacts {
        on_eu_market: eu,
        on_chinese_market: cn,
        aware_of_exploitation: aware,
    };
    assert_eq!(regime::applicable(&cvd, &facts(false, false, None)), []);
    assert_eq!(regime::applicable(&cvd, &facts(true, false, None)), []);
    assert_eq!(
        regime::applicable(&cvd, &facts(true, false, exploited)),
        [RegimeId::Cra]
    );
    assert_eq!(
        regime::applicable(&cvd, &facts(false, true, exploited)),
        [RegimeId::Miit]
    );
    assert_eq!(
        regime::applicable(&cvd, &facts(true, true, exploited)),
        [RegimeId::Cra, RegimeId::Miit]
    );
    // Awareness before CRA reporting obligations apply (2026-09-11).
    assert_eq!(
        regime::applicable(&cvd, &facts(true, false, Some(ts("2026-09-10T21:59:59Z")))),
        []
    );
    assert_eq!(
        regime::applicable(&cvd, &facts(true, false, Some(ts("2026-09-10T22:00:00Z")))),
        [RegimeId::Cra]
    );
    // Seed 000 always reports to MIIT.
    assert_eq!(
        regime::applicable(&bms, &facts(false, false, None)),
        [RegimeId::Miit]
    );
}

#[test]
fn evaluate_into_reuses_its_buffer() {
    let p = Policy::load_preset("iec62443").unwrap();
    let mut t = Timeline::new();
    t.record(Received, ts("2026-03-02T02:00:00Z"))
        .record(Confirmed, ts("2026-03-03T02:00:00Z"));
    let mut out = Vec::new();
    engine::evaluate_into(
        &p,
        p.grade("high"),
        &[],
        &t,
        ts("2026-03-03T03:00:00Z"),
        &mut out,
    );
    assert_eq!(out.len(), 5);
    engine::evaluate_into(
        &p,
        p.grade("medium"),
        &[],
        &t,
        ts("2026-03-03T03:00:00Z"),
        &mut out,
    );
    assert_eq!(
        out.iter()
            .map(|s| s.milestone.id.as_str())
            .collect::<Vec<_>>(),
        ["initial-assessment", "medium-patch"]
    );
}
