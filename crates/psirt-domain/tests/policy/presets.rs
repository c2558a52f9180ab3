//! Every preset loads, and every row of every seed's tables gives exactly the due times the
//! seed states.

use psirt_domain::policy::regime::{self, RegimeId};
use psirt_domain::policy::{Asil, Policy, StartEvent::*, presets};

use super::assert_dues;

#[test]
fn every_preset_and_regime_loads_and_validates() {
    let ids = presets::ids();
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
    for id in ids {
        let p = Policy::load_preset(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(p.id, id);
        assert!(!p.milestones.is_empty(), "{id} has milestones");
    }
    for r in RegimeId::ALL {
        assert_eq!(regime::load(r).unwrap().id, r);
    }
    assert!(Policy::load_preset("nope").is_err());
}

#[test]
fn grade_ids_are_the_seeds_names_in_lower_case() {
    let ids = |p: &str| {
        Policy::load_preset(p)
            .unwrap()
            .grades
            .iter()
            .map(|g| g.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("bms-asil"), ["critical", "medium", "low"]);
    assert_eq!(ids("iec62443"), ["critical", "high", "medium", "low"]);
    assert_eq!(
        ids("consumer-5tier"),
        ["serious", "high", "medium", "low", "ignored"]
    );
    assert_eq!(
        ids("cvd-cvss"),
        ["critical", "high", "medium", "low", "none"]
    );
    let consumer = Policy::load_preset("consumer-5tier").unwrap();
    assert!(consumer.grade("ignored").unwrap().ignored);
    assert!(!consumer.grade("low").unwrap().ignored);
}

#[test]
fn seed_000_asil_mapping_remediation_and_playbooks() {
    let p = Policy::load_preset("bms-asil").unwrap();
    let grade = |a| p.grades[p.grading.grade_for_asil(a).unwrap()].id.as_str();
    assert_eq!(
        [
            grade(Asil::D),
            grade(Asil::C),
            grade(Asil::B),
            grade(Asil::A),
            grade(Asil::Qm)
        ],
        ["critical", "critical", "medium", "low", "low"]
    );
    assert!(
        p.grade("critical")
            .unwrap()
            .remediation
            .contains("Mandatory OTA")
    );
    assert!(
        p.grade("medium")
            .unwrap()
            .remediation
            .contains("without device reboot")
    );
    assert!(
        p.grade("low")
            .unwrap()
            .remediation
            .contains("no equipment restart")
    );
    let rows: Vec<(&str, &str, usize)> = p
        .playbooks
        .iter()
        .map(|b| {
            (
                b.vulnerability_type.as_str(),
                p.grades[b.grade].id.as_str(),
                b.tasks.len(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "Overcharge/Over-discharge Protection Failure",
                "critical",
                3
            ),
            ("CAN Bus Message Injection", "medium", 3),
            ("SOC Calculation Deviation", "medium", 2),
            ("Log Leakage & Unauthorized Parameter Access", "low", 2),
        ]
    );
    assert_eq!(p.regimes, [RegimeId::Miit]);
    assert_eq!(p.retention.len(), 1);
    assert_eq!(p.retention[0].minimum.to_string(), "90 days");
}

#[test]
fn seed_000_critical_row() {
    let p = Policy::load_preset("bms-asil").unwrap();
    // Monday 09:00 China time received, Tuesday 10:00 confirmed.
    let events = [
        (Received, "2026-03-02T09:00:00+08:00"),
        (Confirmed, "2026-03-03T10:00:00+08:00"),
    ];
    assert_dues(
        &p,
        Some("critical"),
        &[RegimeId::Miit],
        &events,
        &[
            ("verification", "2026-03-04T09:00:00+08:00"),
            ("critical-initial-response", "2026-03-03T09:00:00+08:00"),
            ("critical-fix-tested", "2026-03-04T10:00:00+08:00"),
            ("critical-ota-patch", "2026-03-06T10:00:00+08:00"),
            ("critical-full-remediation", "2026-03-06T10:00:00+08:00"),
            ("miit-nvdb-report", "2026-03-04T09:00:00+08:00"),
        ],
    );
}

#[test]
fn seed_000_medium_row_counts_working_days_over_golden_week() {
    let p = Policy::load_preset("bms-asil").unwrap();
    let events = [
        (Received, "2026-03-02T09:00:00+08:00"),
        (Confirmed, "2026-03-03T10:00:00+08:00"),
    ];
    assert_dues(
        &p,
        Some("medium"),
        &[],
        &events,
        &[
            ("verification", "2026-03-04T09:00:00+08:00"),
            ("medium-initial-response", "2026-03-05T09:00:00+08:00"),
            ("medium-fix-tested", "2026-03-06T10:00:00+08:00"),
            ("medium-full-remediation", "2026-03-12T23:59:59+08:00"),
        ],
    );
    // Confirmed the day before National Day: Oct 1–7 are off, Saturday Oct 10 is worked.
    let events = [
        (Received, "2026-09-28T09:00:00+08:00"),
        (Confirmed, "2026-09-29T10:00:00+08:00"),
    ];
    assert_dues(
        &p,
        Some("medium"),
        &[],
        &events,
        &[
            ("verification", "2026-09-30T09:00:00+08:00"),
            ("medium-initial-response", "2026-10-01T09:00:00+08:00"),
            ("medium-fix-tested", "2026-10-02T10:00:00+08:00"),
            ("medium-full-remediation", "2026-10-14T23:59:59+08:00"),
        ],
    );
}

#[test]
fn seed_000_low_row_waits_for_the_regular_version_cycle() {
    let p = Policy::load_preset("bms-asil").unwrap();
    let events = [
        (Received, "2026-03-02T09:00:00+08:00"),
        (Confirmed, "2026-03-03T10:00:00+08:00"),
    ];
    assert_dues(
        &p,
        Some("low"),
        &[],
        &events,
        &[
            ("verification", "2026-03-04T09:00:00+08:00"),
            ("low-release", "2027-03-03T10:00:00+08:00"),
        ],
    );
}

#[test]
fn seed_000_before_grading_only_verification_runs() {
    let p = Policy::load_preset("bms-asil").unwrap();
    assert_dues(
        &p,
        None,
        &[],
        &[(Received, "2026-03-02T09:00:00+08:00")],
        &[("verification", "2026-03-04T09:00:00+08:00")],
    );
}

#[test]
fn seed_001_confirmation_within_24_hours_for_every_grade() {
    let p = Policy::load_preset("cvd-cvss").unwrap();
    for grade in [
        None,
        Some("critical"),
        Some("high"),
        Some("medium"),
        Some("low"),
        Some("none"),
    ] {
        assert_dues(
            &p,
            grade,
            &[],
            &[(Received, "2026-02-13T18:30:00+08:00")],
            &[("email-confirmation", "2026-02-14T18:30:00+08:00")],
        );
    }
    let g = |s| {
        p.grading
            .grade_for_score(s)
            .map(|i| p.grades[i].id.as_str())
    };
    assert_eq!(
        [
            g(10.0),
            g(9.0),
            g(8.9),
            g(7.0),
            g(6.9),
            g(4.0),
            g(3.9),
            g(0.1),
            g(0.0)
        ],
        [
            Some("critical"),
            Some("critical"),
            Some("high"),
            Some("high"),
            Some("medium"),
            Some("medium"),
            Some("low"),
            Some("low"),
            Some("none")
        ]
    );
    assert!(
        p.grade("none")
            .unwrap()
            .disclosure
            .contains("Security Notice")
    );
    assert!(
        p.grade("high")
            .unwrap()
            .disclosure
            .contains("Security Advisory")
    );
    assert!(p.obligations.iter().any(|o| o.id == "progress-updates"));
}

const T: &str = "2026-03-02T10:00:00+08:00";

#[test]
fn seed_002_initial_assessment_over_spring_festival() {
    let p = Policy::load_preset("iec62443").unwrap();
    // Friday before Spring Festival: Sat Feb 14 is worked, Feb 15–23 off, Sat Feb 28 worked.
    assert_dues(
        &p,
        None,
        &[],
        &[(Received, "2026-02-13T09:00:00+08:00")],
        &[("initial-assessment", "2026-03-05T23:59:59+08:00")],
    );
}

#[test]
fn seed_002_table_rows() {
    let p = Policy::load_preset("iec62443").unwrap();
    let ev = [(Received, "2026-02-16T09:00:00+08:00"), (Confirmed, T)];
    let assessment = ("initial-assessment", "2026-03-06T23:59:59+08:00");
    assert_dues(
        &p,
        Some("critical"),
        &[],
        &ev,
        &[
            assessment,
            ("critical-early-notification", "2026-03-03T10:00:00+08:00"),
            ("critical-detailed-report", "2026-03-05T10:00:00+08:00"),
            ("critical-patch", "2026-04-01T10:00:00+08:00"),
        ],
    );
    assert_dues(
        &p,
        Some("high"),
        &[],
        &ev,
        &[
            assessment,
            ("high-early-notification", "2026-03-04T10:00:00+08:00"),
            ("high-detailed-report", "2026-03-09T10:00:00+08:00"),
            ("high-emergency-patch", "2026-04-01T10:00:00+08:00"),
            ("high-patch", "2026-04-16T10:00:00+08:00"),
        ],
    );
    assert_dues(
        &p,
        Some("medium"),
        &[],
        &ev,
        &[assessment, ("medium-patch", "2026-05-31T10:00:00+08:00")],
    );
    // "90 days or next release": no release planned, so the 12-month bound of the train.
    assert_dues(
        &p,
        Some("low"),
        &[],
        &ev,
        &[assessment, ("low-patch", "2027-03-02T10:00:00+08:00")],
    );
}

#[test]
fn seed_002_low_takes_the_later_of_90_days_and_the_next_release() {
    let text = presets::text("iec62443").unwrap();
    let with_release = |date: &str| {
        Policy::from_toml(
            "x.toml",
            &text.replace("scheduled = []", &format!("scheduled = [{date}]")),
        )
        .unwrap()
    };
    let ev = [(Confirmed, T)];
    assert_dues(
        &with_release("2026-04-30"),
        Some("low"),
        &[],
        &ev,
        &[
            ("initial-assessment", "-"),
            ("low-patch", "2026-05-31T10:00:00+08:00"),
        ],
    );
    assert_dues(
        &with_release("2026-07-15"),
        Some("low"),
        &[],
        &ev,
        &[
            ("initial-assessment", "-"),
            ("low-patch", "2026-07-15T23:59:59+08:00"),
        ],
    );
}

#[test]
fn seed_002_third_party_clock_starts_at_the_upstream_announcement() {
    let p = Policy::load_preset("iec62443").unwrap();
    let ev = [(Confirmed, T), (UpstreamPublished, "2026-02-20T00:00:00Z")];
    assert_dues(
        &p,
        Some("critical"),
        &[],
        &ev,
        &[
            ("initial-assessment", "-"),
            ("critical-early-notification", "2026-02-21T00:00:00Z"),
            ("critical-detailed-report", "2026-02-23T00:00:00Z"),
            ("critical-patch", "2026-03-22T00:00:00Z"),
        ],
    );
}

#[test]
fn seed_003_timeline_rows() {
    let p = Policy::load_preset("consumer-5tier").unwrap();
    let ev = [(Received, "2026-03-02T09:00:00+08:00")];
    let rows = [
        (
            "serious",
            "2026-03-02T15:00:00+08:00",
            "2026-03-02T21:00:00+08:00",
        ),
        (
            "high",
            "2026-03-02T21:00:00+08:00",
            "2026-03-03T09:00:00+08:00",
        ),
        (
            "medium",
            "2026-03-03T09:00:00+08:00",
            "2026-03-04T09:00:00+08:00",
        ),
        (
            "low",
            "2026-03-05T09:00:00+08:00",
            "2026-03-09T09:00:00+08:00",
        ),
        (
            "ignored",
            "2026-03-09T09:00:00+08:00",
            "2027-03-02T09:00:00+08:00",
        ),
    ];
    for (grade, confirmation, processing) in rows {
        let c = format!("{grade}-confirmation");
        let pr = format!("{grade}-processing");
        assert_dues(
            &p,
            Some(grade),
            &[],
            &ev,
            &[(&c, confirmation), (&pr, processing)],
        );
    }
}

#[test]
fn seed_003_categories_carry_every_definition() {
    let p = Policy::load_preset("consumer-5tier").unwrap();
    let psirt_domain::policy::Grading::Category { categories, .. } = &p.grading else {
        panic!("category grading")
    };
    let per_grade = |g: &str| {
        categories
            .iter()
            .filter(|c| p.grades[c.grade].id == g)
            .count()
    };
    assert_eq!(
        [
            per_grade("serious"),
            per_grade("high"),
            per_grade("medium"),
            per_grade("low"),
            per_grade("ignored")
        ],
        [3, 3, 2, 3, 4]
    );
    assert_eq!(
        p.grades[p
            .grading
            .grade_for_category("ignored-general-protocol")
            .unwrap()]
        .id,
        "ignored"
    );
    assert!(categories.iter().all(|c| !c.description.is_empty()));
}

#[test]
fn default_policy_clocks() {
    let p = Policy::load_preset("default").unwrap();
    let ev = [
        (Received, "2026-03-02T09:00:00Z"),
        (Acknowledged, "2026-03-03T09:00:00Z"),
        (Confirmed, "2026-03-10T12:00:00Z"),
    ];
    assert_dues(
        &p,
        Some("high"),
        &[],
        &ev,
        &[
            ("acknowledgement", "2026-03-09T23:59:59Z"),
            ("initial-assessment", "2026-03-16T23:59:59Z"),
            ("first-status-update", "2026-04-02T09:00:00Z"),
            ("high-remediation", "2026-05-09T12:00:00Z"),
            ("disclosure-target", "2026-05-31T09:00:00Z"),
            ("advisory-after-fix", "-"),
        ],
    );
}
