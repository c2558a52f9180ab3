//! Policies, presets, calendars and the deadline engine: table tests for every row of the
//! seeds' tables, DST and holiday edge cases, file errors and properties.

// A test crate: helpers outside `#[test]` functions may fail loudly too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod calendar;
mod engine_states;
mod errors;
mod presets;
mod properties;

use jiff::Timestamp;
use psirt_domain::policy::engine::{self, MilestoneStatus};
use psirt_domain::policy::regime::{self, Regime, RegimeId};
use psirt_domain::policy::timeline::Timeline;
use psirt_domain::policy::{Policy, StartEvent};

/// An instant from RFC 3339 text.
pub fn ts(s: &str) -> Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("bad test timestamp {s}: {e}"))
}

/// The due times of a case, as `(milestone id, due)`, policy milestones first.
pub fn dues(
    policy: &Policy,
    grade: Option<&str>,
    regimes: &[RegimeId],
    events: &[(StartEvent, &str)],
) -> Vec<(String, Option<Timestamp>)> {
    let regimes: Vec<Regime> = regime::load_all(regimes).unwrap();
    let mut timeline = Timeline::new();
    for (e, at) in events {
        timeline.record(*e, ts(at));
    }
    let grade = grade.map(|g| policy.grade(g).unwrap_or_else(|| panic!("no grade {g}")));
    engine::evaluate(
        policy,
        grade,
        &regimes,
        &timeline,
        ts("2026-01-01T00:00:00Z"),
    )
    .iter()
    .map(|s: &MilestoneStatus<'_>| (s.milestone.id.clone(), s.due_at))
    .collect()
}

/// Asserts the case's due times are exactly `expected` (id, RFC 3339 or `-` for not started).
pub fn assert_dues(
    policy: &Policy,
    grade: Option<&str>,
    regimes: &[RegimeId],
    events: &[(StartEvent, &str)],
    expected: &[(&str, &str)],
) {
    let got = dues(policy, grade, regimes, events);
    let want: Vec<(String, Option<Timestamp>)> = expected
        .iter()
        .map(|(id, d)| ((*id).to_owned(), (*d != "-").then(|| ts(d))))
        .collect();
    assert_eq!(got, want, "grade {grade:?}");
}

/// A small custom policy in `zone` with one milestone per duration kind, for calendar tests.
pub fn probe_policy(zone: &str, holidays: &str, train: &str) -> Policy {
    let text = format!(
        r#"
[policy]
id = "probe"
name = "Probe"
description = "calendar probe"

[calendar]
time_zone = "{zone}"
working_weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday"]
{holidays}

[release_train]
min_interval_months = 1
max_interval_months = 6
scheduled = [{train}]

[grading]
method = "decision"

[[grades]]
id = "only"
label = "Only"

[[milestones]]
id = "h24"
name = "24 hours"
start = "received"
hours = 24

[[milestones]]
id = "d1"
name = "1 calendar day"
start = "received"
calendar_days = 1

[[milestones]]
id = "w1"
name = "1 working day"
start = "received"
working_days = 1

[[milestones]]
id = "w10"
name = "10 working days"
start = "received"
working_days = 10

[[milestones]]
id = "release"
name = "next release"
start = "received"
next_release = true
"#
    );
    Policy::from_toml("probe.toml", &text).unwrap()
}

#[test]
fn a_milestone_is_met_by_the_event_it_names() {
    use psirt_domain::policy::{Policy, StartEvent, engine, engine::State, timeline::Timeline};
    let policy = Policy::load_preset("default").unwrap();
    let received: jiff::Timestamp = "2026-03-02T09:00:00Z".parse().unwrap();
    let acknowledged: jiff::Timestamp = "2026-03-03T09:00:00Z".parse().unwrap();
    let mut timeline = Timeline::new();
    timeline.record(StartEvent::Received, received);
    let now: jiff::Timestamp = "2026-03-04T09:00:00Z".parse().unwrap();
    let before = engine::evaluate(&policy, None, &[], &timeline, now);
    let ack = before
        .iter()
        .find(|s| s.milestone.id == "acknowledgement")
        .unwrap();
    assert_eq!(ack.state, State::Pending);
    timeline.record(StartEvent::Acknowledged, acknowledged);
    let after = engine::evaluate(&policy, None, &[], &timeline, now);
    let ack = after
        .iter()
        .find(|s| s.milestone.id == "acknowledgement")
        .unwrap();
    assert_eq!((ack.state, ack.met_at), (State::Met, Some(acknowledged)));
    let manual = after
        .iter()
        .find(|s| s.milestone.id == "first-status-update")
        .unwrap();
    assert_eq!(
        manual.milestone.met_by, None,
        "status updates are recorded by hand"
    );
}
