//! DST, holiday and release-train edge cases of the calendar arithmetic.

use jiff::civil::date;
use psirt_domain::policy::StartEvent::Received;

use super::{assert_dues, probe_policy, ts};

#[test]
fn berlin_spring_forward_hours_are_elapsed_days_are_civil() {
    let p = probe_policy("Europe/Berlin", "", "");
    // Saturday before the change (Sunday 2026-03-29, 02:00 → 03:00).
    assert_dues(
        &p,
        Some("only"),
        &[],
        &[(Received, "2026-03-28T12:00:00+01:00")],
        &[
            ("h24", "2026-03-29T13:00:00+02:00"),
            ("d1", "2026-03-29T12:00:00+02:00"),
            ("w1", "2026-03-30T23:59:59+02:00"),
            ("w10", "2026-04-10T23:59:59+02:00"),
            ("release", "2026-09-28T12:00:00+02:00"),
        ],
    );
}

#[test]
fn berlin_fall_back_hours_are_elapsed_days_are_civil() {
    let p = probe_policy("Europe/Berlin", "", "");
    // Saturday before the change (Sunday 2026-10-25, 03:00 → 02:00).
    assert_dues(
        &p,
        Some("only"),
        &[],
        &[(Received, "2026-10-24T12:00:00+02:00")],
        &[
            ("h24", "2026-10-25T11:00:00+01:00"),
            ("d1", "2026-10-25T12:00:00+01:00"),
            ("w1", "2026-10-26T23:59:59+01:00"),
            ("w10", "2026-11-06T23:59:59+01:00"),
            ("release", "2027-04-24T12:00:00+02:00"),
        ],
    );
}

#[test]
fn a_civil_day_ending_in_the_skipped_hour_ends_when_the_gap_ends() {
    let p = probe_policy("Europe/Berlin", "", "");
    let d1 = |start| {
        super::dues(&p, Some("only"), &[], &[(Received, start)])[1]
            .1
            .unwrap()
    };
    assert_eq!(
        d1("2026-03-28T02:30:00+01:00"),
        ts("2026-03-29T03:00:00+02:00")
    );
    assert_eq!(
        d1("2026-03-28T01:59:00+01:00"),
        ts("2026-03-29T01:59:00+01:00")
    );
    assert_eq!(
        d1("2026-03-28T03:00:00+01:00"),
        ts("2026-03-29T03:00:00+02:00")
    );
}

#[test]
fn a_start_in_the_repeated_hour_never_gives_an_earlier_day_than_a_start_before_it() {
    let p = probe_policy("Europe/Berlin", "", "");
    let d1 = |start| {
        super::dues(&p, Some("only"), &[], &[(Received, start)])[1]
            .1
            .unwrap()
    };
    let first_pass = d1("2026-10-25T02:30:00+02:00");
    let second_pass = d1("2026-10-25T02:10:00+01:00");
    assert_eq!(first_pass, ts("2026-10-26T02:30:00+01:00"));
    assert_eq!(second_pass, ts("2026-10-26T03:00:00+01:00"));
    assert!(second_pass >= first_pass);
}

#[test]
fn working_days_skip_holidays_and_count_adjusted_weekends() {
    let cn = probe_policy("Asia/Shanghai", "public_holidays = \"cn\"", "");
    // New Year 2026: Jan 1–3 off, Sunday Jan 4 worked.
    assert_dues(
        &cn,
        Some("only"),
        &[],
        &[(Received, "2025-12-31T17:00:00+08:00")],
        &[
            ("h24", "2026-01-01T17:00:00+08:00"),
            ("d1", "2026-01-01T17:00:00+08:00"),
            ("w1", "2026-01-04T23:59:59+08:00"),
            ("w10", "2026-01-15T23:59:59+08:00"),
            ("release", "2026-06-30T23:59:59+08:00"), // 31 December + 6 months: end of 30 June
        ],
    );
    // Labour Day: May 1–5 off, Saturday May 9 worked.
    let w10 = super::dues(
        &cn,
        Some("only"),
        &[],
        &[(Received, "2026-04-30T10:00:00+08:00")],
    )[3]
    .1
    .unwrap();
    assert_eq!(w10, ts("2026-05-18T23:59:59+08:00"));
    assert!(!cn.calendar.is_working_day(date(2026, 10, 1)));
    assert!(cn.calendar.is_working_day(date(2026, 10, 10)));
    assert!(!cn.calendar.is_working_day(date(2026, 10, 11)));
    assert!(!cn.calendar.is_working_day(date(2027, 2, 5)));
}

#[test]
fn a_start_on_a_weekend_counts_from_the_next_working_day() {
    let p = probe_policy("UTC", "", "");
    let w1 = |start| {
        super::dues(&p, Some("only"), &[], &[(Received, start)])[2]
            .1
            .unwrap()
    };
    assert_eq!(w1("2026-03-06T10:00:00Z"), ts("2026-03-09T23:59:59Z"));
    assert_eq!(w1("2026-03-07T10:00:00Z"), ts("2026-03-09T23:59:59Z"));
    assert_eq!(w1("2026-03-08T23:00:00Z"), ts("2026-03-09T23:59:59Z"));
    assert_eq!(w1("2026-03-09T00:00:00Z"), ts("2026-03-10T23:59:59Z"));
}

#[test]
fn working_days_are_counted_in_the_policy_zone_not_utc() {
    let p = probe_policy("Asia/Shanghai", "", "");
    // Friday 23:30 UTC is already Saturday in Shanghai: the next working day is Monday.
    let w1 = super::dues(&p, Some("only"), &[], &[(Received, "2026-03-06T23:30:00Z")])[2]
        .1
        .unwrap();
    assert_eq!(w1, ts("2026-03-09T23:59:59+08:00"));
}

#[test]
fn release_train_takes_the_next_scheduled_release_within_the_cadence() {
    let p = probe_policy("UTC", "", "2026-04-15, 2026-12-15");
    let release = |start| {
        super::dues(&p, Some("only"), &[], &[(Received, start)])[4]
            .1
            .unwrap()
    };
    assert_eq!(release("2026-03-01T08:00:00Z"), ts("2026-04-15T23:59:59Z"));
    // After April's release: December's is more than 6 months after April, so the bound wins.
    assert_eq!(release("2026-05-01T08:00:00Z"), ts("2026-10-15T23:59:59Z"));
    // The plan is stale: the bound runs from the start itself.
    assert_eq!(release("2027-08-01T08:00:00Z"), ts("2028-02-01T08:00:00Z"));
}

#[test]
fn a_calendar_with_unknown_zone_or_no_working_days_is_refused() {
    use psirt_domain::policy::calendar::{Calendar, CalendarError};
    assert!(matches!(
        Calendar::new(
            "Mars/Olympus",
            &[jiff::civil::Weekday::Monday],
            vec![],
            vec![]
        ),
        Err(CalendarError::UnknownZone(_))
    ));
    assert!(matches!(
        Calendar::new("UTC", &[], vec![], vec![]),
        Err(CalendarError::NoWorkingWeekdays)
    ));
}
