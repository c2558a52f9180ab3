//! Properties of the deadline arithmetic over random instants, in a zone with DST (Berlin) and
//! one with China's holidays and adjusted working days (Shanghai).

use jiff::Timestamp;
use proptest::prelude::*;
use psirt_domain::policy::engine::Clock;
use psirt_domain::policy::{Due, Policy};

use super::probe_policy;

fn policies() -> [Policy; 2] {
    [
        probe_policy("Europe/Berlin", "", "2026-04-15, 2026-12-15, 2027-06-30"),
        probe_policy("Asia/Shanghai", "public_holidays = \"cn\"", "2026-05-20"),
    ]
}

/// Instants from 2025-12-01 to 2028-01-01, covering both DST changes and all listed holidays.
fn instant() -> impl Strategy<Value = Timestamp> {
    (1_764_547_200i64..1_830_297_600i64).prop_map(|s| Timestamp::from_second(s).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn a_later_start_never_gives_an_earlier_due_time(a in instant(), gap in 0i64..200_000) {
        let b = a.checked_add(jiff::SignedDuration::from_secs(gap)).unwrap();
        for p in policies() {
            let clock = Clock::of_policy(&p);
            for m in &p.milestones {
                prop_assert!(clock.due_from(m, a) <= clock.due_from(m, b), "{} in {}: {a} → {}, {b} → {}", m.id, p.calendar.zone_name(), clock.due_from(m, a), clock.due_from(m, b));
            }
        }
    }

    #[test]
    fn due_is_never_before_start_and_working_days_end_on_working_days(start in instant(), n in 1u32..40) {
        for p in policies() {
            let clock = Clock::of_policy(&p);
            for m in &p.milestones {
                prop_assert!(clock.due_from(m, start) >= start);
            }
            let due = p.calendar.add_working_days(start, n);
            let day = p.calendar.zone().to_datetime(due).date();
            prop_assert!(p.calendar.is_working_day(day), "{start} + {n} working days = {due} ({day})");
            prop_assert!(due > start);
            let mut milestone = p.milestones[0].clone();
            milestone.due = Due::CalendarDays(n);
            prop_assert!(clock.due_from(&milestone, start) > start);
        }
    }

    #[test]
    fn a_start_in_the_dst_hours_stays_monotone(offset in 0i64..(4 * 3600), gap in 0i64..(3 * 3600)) {
        // Starts a day before the 2026 Berlin gap and fold, and inside the fold itself.
        let p = &policies()[0];
        let clock = Clock::of_policy(p);
        for base in [1_774_659_600i64, 1_792_800_000, 1_792_890_000] {
            let a = Timestamp::from_second(base - 2 * 3600 + offset).unwrap();
            let b = Timestamp::from_second(base - 2 * 3600 + offset + gap).unwrap();
            for m in &p.milestones {
                prop_assert!(clock.due_from(m, a) <= clock.due_from(m, b), "{}: {a} vs {b}", m.id);
            }
        }
    }
}
