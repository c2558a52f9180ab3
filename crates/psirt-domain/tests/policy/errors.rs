//! A refused policy file names file, line, column and field.

use psirt_domain::policy::{Located, Policy, PolicyError, presets};

/// Loads the `iec62443` preset with `from` replaced by `to`, expecting a refusal.
fn refuse(from: &str, to: &str) -> Located {
    let text = presets::text("iec62443").unwrap();
    assert!(text.contains(from), "fixture text `{from}` not in preset");
    match Policy::from_toml("custom.toml", &text.replacen(from, to, 1)) {
        Err(PolicyError::Invalid(l)) => l,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn line_of(needle: &str) -> usize {
    let text = presets::text("iec62443").unwrap();
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn unknown_key_is_named_with_its_line() {
    let e = refuse("working_days = 10\n", "working_days = 10\nworkdays = 3\n");
    assert_eq!(
        (e.file.as_str(), e.line, e.column),
        ("custom.toml", line_of("working_days = 10") + 1, 1)
    );
    assert_eq!(e.field, "milestones[0].workdays");
    assert!(e.message.contains("unknown field"), "{e}");
    assert!(e.to_string().starts_with(&format!(
        "custom.toml:{}:1: milestones[0].workdays: ",
        e.line
    )));
}

#[test]
fn unknown_grade_in_a_milestone_is_refused() {
    let e = refuse(
        "grades = [\"high\"]\nsource = \"High | T+48h\"",
        "grades = [\"hihg\"]\nsource = \"High | T+48h\"",
    );
    assert_eq!(
        e.line,
        line_of("grades = [\"high\"]\nsource = \"High | T+48h\"")
    );
    assert_eq!(e.column, 11);
    assert_eq!(e.field, "milestones[4].grades");
    assert!(e.message.contains("unknown grade `hihg`"), "{e}");
}

#[test]
fn non_positive_durations_are_refused() {
    let e = refuse("hours = 24\n", "hours = 0\n");
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of("hours = 24\n"), "milestones[1].hours")
    );
    assert!(e.message.contains("must be positive"), "{e}");
    let e = refuse("calendar_days = 45", "calendar_days = -45");
    assert_eq!(e.field, "milestones[7].calendar_days");
}

#[test]
fn a_milestone_needs_exactly_one_duration() {
    let e = refuse("hours = 72\n", "hours = 72\ncalendar_days = 3\n");
    assert_eq!(e.field, "milestones[2].hours");
    assert!(e.message.contains("only one"), "{e}");
}

#[test]
fn bad_values_are_named() {
    let e = refuse("start = \"received\"", "start = \"recieved\"");
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of("start = \"received\""), "milestones[0].start")
    );
    assert!(e.message.contains("recieved"), "{e}");
    let e = refuse(
        "time_zone = \"Asia/Shanghai\"",
        "time_zone = \"Asia/Shanghia\"",
    );
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of("time_zone"), "calendar.time_zone")
    );
    let e = refuse(
        "{ grade = \"high\", min = 7.0, max = 8.9 }",
        "{ grade = \"high\", min = 7.0, max = 9.5 }",
    );
    assert_eq!(e.field, "grading.ranges");
    assert!(e.message.contains("overlap"), "{e}");
    let e = refuse("at_risk_fraction = 0.75", "at_risk_fraction = 1.5");
    assert_eq!(e.field, "policy.at_risk_fraction");
    let e = refuse("id = \"high\"\n", "id = \"critical\"\n");
    assert_eq!(e.field, "grades[1].id");
    assert!(e.message.contains("defined twice"), "{e}");
}

#[test]
fn syntax_errors_and_missing_tables_are_located() {
    let e = refuse("[grading]", "[grading");
    assert_eq!(e.line, line_of("[grading]"));
    let e = refuse("[release_train]\n", "[release_trains]\n");
    assert_eq!(e.line, line_of("[release_train]"));
    assert!(e.message.contains("release_trains"), "{e}");
}

#[test]
fn next_release_needs_a_release_train() {
    let text = presets::text("consumer-5tier").unwrap();
    let start = text.find("[release_train]").unwrap();
    let end = text.find("[grading]").unwrap();
    let cut = format!("{}{}", &text[..start], &text[end..]);
    match Policy::from_toml("c.toml", &cut) {
        Err(PolicyError::Invalid(l)) => {
            assert_eq!(l.field, "milestones[9].next_release");
            assert!(l.message.contains("release_train"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_documented_full_example_loads() {
    let doc = include_str!("../../../../docs/POLICY-FORMAT.md");
    let start = doc.find("## Full example").unwrap();
    let block = &doc[start..];
    let toml = &block[block.find("```toml\n").unwrap() + 8..];
    let toml = &toml[..toml.find("```").unwrap()];
    let p = Policy::from_toml("POLICY-FORMAT.md", toml).unwrap();
    assert_eq!(
        (p.id.as_str(), p.grades.len(), p.milestones.len()),
        ("acme", 3, 4)
    );
}
