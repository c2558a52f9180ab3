//! Deadline engine throughput: milestone evaluations per second on one thread, against the
//! 1,000,000/s target of issue 3. Run: `cargo bench -p psirt-domain --bench deadlines`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use psirt_domain::policy::engine::{self, MilestoneStatus};
use psirt_domain::policy::regime::{self, Regime, RegimeId};
use psirt_domain::policy::timeline::{Extension, Timeline};
use psirt_domain::policy::{Policy, StartEvent};

const TARGET_PER_SECOND: f64 = 1_000_000.0;
const ROUNDS: usize = 15;
const CASES: usize = 512;

struct Case {
    policy: usize,
    grade: Option<usize>,
    timeline: Timeline,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let policies: Vec<Policy> = [
        "bms-asil",
        "cvd-cvss",
        "iec62443",
        "consumer-5tier",
        "default",
    ]
    .into_iter()
    .map(Policy::load_preset)
    .collect::<Result<_, _>>()?;
    let regimes: Vec<Regime> = regime::load_all(&[RegimeId::Cra, RegimeId::Miit])?;
    let cases = cases(&policies)?;
    let now: Timestamp = "2026-10-15T12:00:00Z".parse()?;

    let mut out: Vec<MilestoneStatus<'_>> = Vec::with_capacity(64);
    // Warm-up: fills caches and grows the buffer so the measured rounds do not allocate.
    let mut evaluations = 0usize;
    let warm_until = Instant::now() + Duration::from_millis(500);
    while Instant::now() < warm_until {
        evaluations += round(&policies, &regimes, &cases, now, &mut out);
    }
    black_box(evaluations);

    let mut rates = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let started = Instant::now();
        let mut n = 0usize;
        while started.elapsed() < Duration::from_millis(200) {
            n += round(&policies, &regimes, &cases, now, &mut out);
        }
        rates.push(n as f64 / started.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    let median = rates.get(ROUNDS / 2).copied().unwrap_or_default();
    let (min, max) = (
        rates.first().copied().unwrap_or_default(),
        rates.last().copied().unwrap_or_default(),
    );
    let per_case = round(&policies, &regimes, &cases, now, &mut out) as f64 / CASES as f64;
    println!(
        "deadline engine: {CASES} cases, {per_case:.1} milestones per case (policy + CRA + MIIT), one thread"
    );
    println!(
        "  median {median:.0} milestone evaluations/s over {ROUNDS} rounds (min {min:.0}, max {max:.0})"
    );
    println!("  ≈ {:.0} ns per milestone evaluation", 1e9 / median);
    let verdict = if median >= TARGET_PER_SECOND {
        "PASS"
    } else {
        "BELOW TARGET"
    };
    println!("  target {TARGET_PER_SECOND:.0}/s: {verdict}");
    Ok(())
}

/// Evaluates every case once; returns the number of milestones evaluated.
fn round<'a>(
    policies: &'a [Policy],
    regimes: &'a [Regime],
    cases: &'a [Case],
    now: Timestamp,
    out: &mut Vec<MilestoneStatus<'a>>,
) -> usize {
    let mut n = 0;
    for case in cases {
        let Some(policy) = policies.get(case.policy) else {
            continue;
        };
        let grade = case.grade.and_then(|g| policy.grades.get(g));
        engine::evaluate_into(policy, grade, regimes, &case.timeline, black_box(now), out);
        n += out.len();
        black_box(&*out);
    }
    n
}

/// Cases spread over 2026 (weekends, Spring Festival, Golden Week, DST in Brussels), every
/// preset and grade, with anchors, a pause, an extension and some milestones met.
fn cases(policies: &[Policy]) -> Result<Vec<Case>, Box<dyn std::error::Error>> {
    let base: Timestamp = "2026-01-05T01:00:00Z".parse()?;
    let mut out = Vec::with_capacity(CASES);
    for i in 0..CASES {
        let policy_index = i % policies.len();
        let Some(policy) = policies.get(policy_index) else {
            continue;
        };
        let grade = (i / policies.len()) % (policy.grades.len() + 1);
        let received = base.checked_add(SignedDuration::from_secs(i as i64 * 61_337))?;
        let at = |h: i64| received.checked_add(SignedDuration::from_hours(h));
        let mut t = Timeline::new();
        t.record(StartEvent::Received, received)
            .record(StartEvent::Acknowledged, at(5)?)
            .record(StartEvent::Confirmed, at(30)?)
            .record(StartEvent::AwareOfExploitation, at(40)?);
        if i % 3 == 0 {
            t.record(StartEvent::UpstreamPublished, at(-100)?);
        }
        if i % 4 == 0 {
            t.record(StartEvent::FixAvailable, at(200)?);
            t.pause(at(10)?, Some(at(20)?));
        }
        if i % 5 == 0 {
            t.met("verification", at(20)?);
            t.extend(Extension::grant(
                "initial-assessment",
                at(100)?,
                at(300)?,
                "supplier analysis",
                "pso",
            )?);
        }
        out.push(Case {
            policy: policy_index,
            grade: grade.checked_sub(1),
            timeline: t,
        });
    }
    Ok(out)
}
