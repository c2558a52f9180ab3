//! The working-day calendar of a policy (IANA zone, working weekdays, dated holidays and adjusted
//! working days) and its release train, with the DST-correct date arithmetic the engine uses.
//!
//! All arithmetic is monotone: a later start never yields an earlier result, even across DST
//! gaps and folds and month-end clamping.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Span, Timestamp};

/// A named date: a public holiday, or a weekend day officially turned into a working day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedDay {
    pub date: Date,
    pub name: String,
}

/// Where and when people work.
#[derive(Debug, Clone)]
pub struct Calendar {
    zone_name: String,
    zone: TimeZone,
    /// Bit `n` set: weekday with `to_monday_zero_offset() == n` is a working weekday.
    working_weekdays: u8,
    /// Sorted by date.
    holidays: Vec<DatedDay>,
    /// Sorted by date: days worked although they fall on a non-working weekday (China's
    /// adjusted working weekends).
    extra_working_days: Vec<DatedDay>,
    /// Where the dates come from and what is assumed.
    note: String,
}

/// Why a calendar cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown IANA time zone `{0}`")]
    UnknownZone(String),
    #[error("no working weekdays: working-day clocks could never end")]
    NoWorkingWeekdays,
    #[error("{0} is listed twice")]
    Duplicate(Date),
    #[error("{0} is listed both as a holiday and as a working day")]
    HolidayAndWorkingDay(Date),
}

impl Calendar {
    /// Builds a calendar; holidays and extra working days may come in any order.
    pub fn new(
        zone_name: &str,
        working_weekdays: &[Weekday],
        mut holidays: Vec<DatedDay>,
        mut extra_working_days: Vec<DatedDay>,
    ) -> Result<Self, CalendarError> {
        let zone = jiff::tz::db()
            .get(zone_name)
            .map_err(|_| CalendarError::UnknownZone(zone_name.to_owned()))?;
        let mask = working_weekdays
            .iter()
            .fold(0u8, |m, d| m | (1 << d.to_monday_zero_offset()));
        if mask == 0 {
            return Err(CalendarError::NoWorkingWeekdays);
        }
        holidays.sort_by_key(|d| d.date);
        extra_working_days.sort_by_key(|d| d.date);
        for list in [&holidays, &extra_working_days] {
            if let Some(w) = list
                .windows(2)
                .find(|w| w.first().map(|a| a.date) == w.get(1).map(|b| b.date))
                && let Some(first) = w.first()
            {
                return Err(CalendarError::Duplicate(first.date));
            }
        }
        if let Some(both) = extra_working_days
            .iter()
            .find(|w| holidays.binary_search_by_key(&w.date, |h| h.date).is_ok())
        {
            return Err(CalendarError::HolidayAndWorkingDay(both.date));
        }
        Ok(Self {
            zone_name: zone_name.to_owned(),
            zone,
            working_weekdays: mask,
            holidays,
            extra_working_days,
            note: String::new(),
        })
    }

    /// UTC, Monday to Friday, no holidays.
    pub fn utc_weekdays() -> Self {
        Self {
            zone_name: "UTC".to_owned(),
            zone: TimeZone::UTC,
            working_weekdays: 0b1_1111,
            holidays: Vec::new(),
            extra_working_days: Vec::new(),
            note: String::new(),
        }
    }

    /// Attaches a note on the calendar's sources and assumptions.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = note.into();
        self
    }

    pub fn note(&self) -> &str {
        &self.note
    }

    pub fn zone_name(&self) -> &str {
        &self.zone_name
    }

    pub fn zone(&self) -> &TimeZone {
        &self.zone
    }

    pub fn holidays(&self) -> &[DatedDay] {
        &self.holidays
    }

    pub fn extra_working_days(&self) -> &[DatedDay] {
        &self.extra_working_days
    }

    /// The working weekdays, Monday first.
    pub fn working_weekdays(&self) -> impl Iterator<Item = Weekday> + '_ {
        (0..7i8)
            .filter(|n| self.working_weekdays & (1 << n) != 0)
            .map(Weekday::from_monday_zero_offset)
            .filter_map(Result::ok)
    }

    /// Whether people work on this civil date.
    pub fn is_working_day(&self, date: Date) -> bool {
        if self
            .extra_working_days
            .binary_search_by_key(&date, |d| d.date)
            .is_ok()
        {
            return true;
        }
        let weekday_works =
            self.working_weekdays & (1 << date.weekday().to_monday_zero_offset()) != 0;
        weekday_works
            && self
                .holidays
                .binary_search_by_key(&date, |d| d.date)
                .is_err()
    }

    /// Elapsed hours: DST does not matter.
    pub fn add_hours(&self, start: Timestamp, hours: u32) -> Timestamp {
        saturating_add(start, SignedDuration::from_hours(i64::from(hours)))
    }

    /// Same wall-clock time `days` civil days later in the calendar's zone.
    pub fn add_calendar_days(&self, start: Timestamp, days: u32) -> Timestamp {
        let wall = self.monotone_wall_clock(start);
        match wall.checked_add(Span::new().days(i64::from(days))) {
            Ok(target) => self.resolve(start, target),
            Err(_) => Timestamp::MAX,
        }
    }

    /// Same wall-clock time `months` civil months later. When the day does not exist in the
    /// target month (31 October + 6 months), the end of that month's last day: clamping the
    /// day but keeping the time would let a later start give an earlier result.
    pub fn add_months(&self, start: Timestamp, months: u32) -> Timestamp {
        let wall = self.monotone_wall_clock(start);
        match wall.checked_add(Span::new().months(i64::from(months))) {
            Ok(target) if target.day() != wall.day() => self.end_of_day(target.date()),
            Ok(target) => self.resolve(start, target),
            Err(_) => Timestamp::MAX,
        }
    }

    /// The end (23:59:59 local) of the `days`th working day after the start's civil date; the
    /// start date itself never counts, whether or not it is a working day.
    pub fn add_working_days(&self, start: Timestamp, days: u32) -> Timestamp {
        let mut date = self.zone.to_datetime(start).date();
        let mut left = days;
        while left > 0 {
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => return Timestamp::MAX,
            }
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        self.end_of_day(date)
    }

    /// The last second of `date` in the calendar's zone.
    pub fn end_of_day(&self, date: Date) -> Timestamp {
        match date.tomorrow() {
            Ok(next) => {
                let midnight = self
                    .zone
                    .to_ambiguous_timestamp(next.to_datetime(jiff::civil::Time::midnight()));
                match midnight.compatible() {
                    Ok(ts) => saturating_add(ts, SignedDuration::from_secs(-1)),
                    Err(_) => Timestamp::MAX,
                }
            }
            Err(_) => Timestamp::MAX,
        }
    }

    /// The instant of a civil result; one inside a skipped hour (gap) moves to the instant the
    /// gap ends, so that results stay monotone.
    fn resolve(&self, start: Timestamp, target: DateTime) -> Timestamp {
        let ambiguous = self.zone.to_ambiguous_timestamp(target);
        match ambiguous.offset() {
            AmbiguousOffset::Gap { after, .. } => {
                // The transition is the first one after the target read with the later offset.
                let probe = after.to_timestamp(target).unwrap_or(start);
                self.zone
                    .following(probe)
                    .next()
                    .map_or(Timestamp::MAX, |t| t.timestamp())
            }
            _ => ambiguous.compatible().unwrap_or(Timestamp::MAX),
        }
    }

    /// The start's wall-clock time, except that a start inside the repeated hour of a fold, on
    /// its second pass, counts as the end of the fold: otherwise 02:10 CET, later than
    /// 02:30 CEST, would give an earlier civil result.
    fn monotone_wall_clock(&self, start: Timestamp) -> DateTime {
        let wall = self.zone.to_datetime(start);
        if let AmbiguousOffset::Fold { before, after } =
            self.zone.to_ambiguous_timestamp(wall).offset()
            && self.zone.to_offset(start) == after
            && let Some(transition) = self
                .zone
                .preceding(saturating_add(start, SignedDuration::from_nanos(1)))
                .next()
        {
            return before.to_datetime(transition.timestamp());
        }
        wall
    }
}

/// A routine release schedule ("every 6 to 12 months"): known release dates plus the cadence
/// bounds that limit how far the next release can be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseTrain {
    pub min_interval_months: u32,
    pub max_interval_months: u32,
    /// Sorted planned release dates.
    pub scheduled: Vec<Date>,
    /// Where the cadence comes from and what is assumed.
    pub note: String,
}

impl ReleaseTrain {
    /// When the next routine release after `start` is due: the end of the first scheduled release
    /// day after the start's date, but never later than the maximum interval after the last
    /// release on or before the start. With no earlier release known, or a plan so stale that
    /// its bound has passed, the maximum interval runs from the start itself.
    pub fn next_release(&self, calendar: &Calendar, start: Timestamp) -> Timestamp {
        let start_date = calendar.zone.to_datetime(start).date();
        let after = self.scheduled.partition_point(|d| *d <= start_date);
        let from_start = calendar.add_months(start, self.max_interval_months);
        let bound = match after.checked_sub(1).and_then(|i| self.scheduled.get(i)) {
            Some(last) => {
                let from_last =
                    calendar.add_months(calendar.end_of_day(*last), self.max_interval_months);
                if from_last >= start {
                    from_last
                } else {
                    from_start
                }
            }
            None => from_start,
        };
        match self.scheduled.get(after) {
            Some(next) => calendar.end_of_day(*next).min(bound),
            None => bound,
        }
    }
}

/// Adding beyond jiff's range means "never due" rather than a panic on hostile input.
fn saturating_add(ts: Timestamp, d: SignedDuration) -> Timestamp {
    ts.checked_add(d).unwrap_or(if d.is_negative() {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}
