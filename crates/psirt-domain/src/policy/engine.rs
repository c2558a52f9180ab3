//! The deadline engine: for one case, every milestone of its policy and of the regimes that
//! apply, with its due time and whether it is met, pending, at risk or breached.
//!
//! Rules: a milestone is due only once its start event happened; hours are elapsed time,
//! calendar days civil days in the policy's (or regime's) zone, working days end at 23:59:59 of
//! a working day. Waiting for the reporter pushes policy milestones back by the time waited
//! (when the policy says so); an approved extension replaces the due time and keeps the
//! original. A milestone is breached once `now` is past its due time, and met late when it was
//! met after it.

use jiff::{SignedDuration, Timestamp};

use super::calendar::{Calendar, ReleaseTrain};
use super::milestone::{Due, Milestone, StartEvent};
use super::regime::{Regime, RegimeId};
use super::timeline::{Extension, Timeline};
use super::{Grade, Policy};

/// Where a milestone stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Its start event has not happened: no clock yet.
    NotStarted,
    Pending,
    /// More than the warning fraction of its clock has elapsed.
    AtRisk,
    Breached,
    Met,
    /// Met, but after the due time.
    MetLate,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::NotStarted => "not_started",
            State::Pending => "pending",
            State::AtRisk => "at_risk",
            State::Breached => "breached",
            State::Met => "met",
            State::MetLate => "met_late",
        }
    }
}

/// One milestone of one case, evaluated.
#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneStatus<'a> {
    pub milestone: &'a Milestone,
    /// `None` for the policy's own milestones.
    pub regime: Option<RegimeId>,
    /// The event the clock runs from (the third-party start when that applied).
    pub start_event: StartEvent,
    pub started_at: Option<Timestamp>,
    /// The due time the policy gives, pauses included, before any extension.
    pub original_due_at: Option<Timestamp>,
    /// The due time in force (extended when an extension was granted).
    pub due_at: Option<Timestamp>,
    pub extension: Option<&'a Extension>,
    pub met_at: Option<Timestamp>,
    pub state: State,
}

/// Evaluates every milestone binding a case of `grade` (`None`: not graded yet) under `policy`
/// and `regimes`, policy milestones first, in file order.
pub fn evaluate<'a>(
    policy: &'a Policy,
    grade: Option<&Grade>,
    regimes: &'a [Regime],
    timeline: &'a Timeline,
    now: Timestamp,
) -> Vec<MilestoneStatus<'a>> {
    let mut out = Vec::with_capacity(
        policy.milestones.len() + regimes.iter().map(|r| r.milestones.len()).sum::<usize>(),
    );
    evaluate_into(policy, grade, regimes, timeline, now, &mut out);
    out
}

/// [`evaluate`] into a reused buffer (cleared first): no allocation once it has grown.
pub fn evaluate_into<'a>(
    policy: &'a Policy,
    grade: Option<&Grade>,
    regimes: &'a [Regime],
    timeline: &'a Timeline,
    now: Timestamp,
    out: &mut Vec<MilestoneStatus<'a>>,
) {
    out.clear();
    let policy_clock = Clock::of_policy(policy);
    out.extend(
        policy
            .milestones_for(grade)
            .map(|m| policy_clock.evaluate(m, timeline, now)),
    );
    for regime in regimes {
        let clock = Clock::of_regime(regime);
        out.extend(
            regime
                .milestones
                .iter()
                .map(|m| clock.evaluate(m, timeline, now)),
        );
    }
}

/// The rules one set of milestones is computed under.
#[derive(Debug, Clone, Copy)]
pub struct Clock<'a> {
    calendar: &'a Calendar,
    release_train: Option<&'a ReleaseTrain>,
    pauses_apply: bool,
    regime: Option<RegimeId>,
}

impl<'a> Clock<'a> {
    pub fn of_policy(policy: &'a Policy) -> Self {
        Self {
            calendar: &policy.calendar,
            release_train: policy.release_train.as_ref(),
            pauses_apply: policy.pause_while_waiting_for_reporter,
            regime: None,
        }
    }

    pub fn of_regime(regime: &'a Regime) -> Self {
        Self {
            calendar: &regime.calendar,
            release_train: None,
            pauses_apply: false,
            regime: Some(regime.id),
        }
    }

    /// The due time of `milestone` for a clock started at `start`, before pauses and extensions.
    pub fn due_from(&self, milestone: &Milestone, start: Timestamp) -> Timestamp {
        let next_release = |start| match self.release_train {
            Some(train) => train.next_release(self.calendar, start),
            // Validation refuses next-release milestones without a train; treat as never due.
            None => Timestamp::MAX,
        };
        let due = match milestone.due {
            Due::Hours(h) => self.calendar.add_hours(start, h),
            Due::CalendarDays(d) => self.calendar.add_calendar_days(start, d),
            Due::WorkingDays(d) => self.calendar.add_working_days(start, d),
            Due::NextRelease => next_release(start),
        };
        if milestone.or_next_release {
            due.max(next_release(start))
        } else {
            due
        }
    }

    /// Evaluates one milestone of one case.
    pub fn evaluate<'m>(
        &self,
        milestone: &'m Milestone,
        timeline: &'m Timeline,
        now: Timestamp,
    ) -> MilestoneStatus<'m> {
        let third_party = milestone
            .third_party_start
            .and_then(|e| timeline.anchor(e).map(|t| (e, t)));
        let (start_event, started_at) = match third_party {
            Some((e, t)) => (e, Some(t)),
            None => (milestone.start, timeline.anchor(milestone.start)),
        };
        // Met by hand (with evidence) or by the case event the milestone names.
        let met_at = timeline
            .met_at(&milestone.id)
            .or_else(|| milestone.met_by.and_then(|e| timeline.anchor(e)));
        let Some(start) = started_at else {
            let state = if met_at.is_some() {
                State::Met
            } else {
                State::NotStarted
            };
            return MilestoneStatus {
                milestone,
                regime: self.regime,
                start_event,
                started_at,
                original_due_at: None,
                due_at: None,
                extension: None,
                met_at,
                state,
            };
        };
        let mut original = self.due_from(milestone, start);
        if self.pauses_apply {
            original = shift_by_pauses(original, start, timeline, now);
        }
        let extension = if self.regime.is_none() {
            timeline.extension(&milestone.id)
        } else {
            None
        };
        let due = extension.map_or(original, |e| e.new_due().max(original));
        let state = match met_at {
            Some(m) if m <= due => State::Met,
            Some(_) => State::MetLate,
            None if now > due => State::Breached,
            None if at_risk(start, due, now, milestone.at_risk_fraction) => State::AtRisk,
            None => State::Pending,
        };
        MilestoneStatus {
            milestone,
            regime: self.regime,
            start_event,
            started_at,
            original_due_at: Some(original),
            due_at: Some(due),
            extension,
            met_at,
            state,
        }
    }
}

/// Each wait for the reporter after the clock started and before the (moving) due time pushes
/// the due time back by its length; a wait still open counts until `now`.
fn shift_by_pauses(
    mut due: Timestamp,
    start: Timestamp,
    timeline: &Timeline,
    now: Timestamp,
) -> Timestamp {
    for pause in timeline.pauses() {
        if pause.from >= due {
            break;
        }
        let from = pause.from.max(start);
        let until = pause.until.unwrap_or(now);
        if until > from {
            due = due
                .checked_add(until.duration_since(from))
                .unwrap_or(Timestamp::MAX);
        }
    }
    due
}

fn at_risk(start: Timestamp, due: Timestamp, now: Timestamp, fraction: f64) -> bool {
    let total = due.duration_since(start);
    if total <= SignedDuration::ZERO {
        return true;
    }
    let elapsed = now.duration_since(start);
    elapsed.as_secs_f64() >= total.as_secs_f64() * fraction
}
