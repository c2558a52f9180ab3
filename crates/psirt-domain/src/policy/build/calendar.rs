//! The working-day calendar, built-in holiday sets and the release train.

use super::*;

fn date(
    at: &Locator<'_>,
    value: &Datetime,
    span: std::ops::Range<usize>,
) -> Result<Date, PolicyError> {
    match (value.date, value.time, value.offset) {
        (Some(d), None, None) => Date::new(d.year as i16, d.month as i8, d.day as i8)
            .map_err(|e| at.at(span, None, format!("not a date: {e}"))),
        _ => Err(at.at(span, None, "expected a plain date such as 2026-10-01")),
    }
}

fn dated_days(
    at: &Locator<'_>,
    list: &[Spanned<format::DatedDayFile>],
) -> Result<Vec<DatedDay>, PolicyError> {
    list.iter()
        .map(|d| {
            Ok(DatedDay {
                date: date(at, &d.get_ref().date, d.span())?,
                name: d.get_ref().name.clone(),
            })
        })
        .collect()
}

pub(super) fn calendar(
    at: &Locator<'_>,
    raw: &format::CalendarFile,
) -> Result<Calendar, PolicyError> {
    let weekdays: Vec<Weekday> = raw
        .working_weekdays
        .get_ref()
        .iter()
        .map(|d| match d {
            WeekdayName::Monday => Weekday::Monday,
            WeekdayName::Tuesday => Weekday::Tuesday,
            WeekdayName::Wednesday => Weekday::Wednesday,
            WeekdayName::Thursday => Weekday::Thursday,
            WeekdayName::Friday => Weekday::Friday,
            WeekdayName::Saturday => Weekday::Saturday,
            WeekdayName::Sunday => Weekday::Sunday,
        })
        .collect();
    let (mut holidays, mut working, mut note) = match &raw.public_holidays {
        Some(set) => holiday_set(at, set)?,
        None => (Vec::new(), Vec::new(), String::new()),
    };
    if !raw.note.is_empty() {
        if !note.is_empty() {
            note.push_str(". ");
        }
        note.push_str(&raw.note);
    }
    holidays.extend(dated_days(at, &raw.holidays)?);
    working.extend(dated_days(at, &raw.working_days)?);
    Calendar::new(raw.time_zone.get_ref(), &weekdays, holidays, working)
        .map_err(|e| {
            let (span, field) = match e {
                crate::policy::calendar::CalendarError::UnknownZone(_) => {
                    (raw.time_zone.span(), "calendar.time_zone")
                }
                crate::policy::calendar::CalendarError::NoWorkingWeekdays => {
                    (raw.working_weekdays.span(), "calendar.working_weekdays")
                }
                _ => (raw.time_zone.span(), "calendar.holidays"),
            };
            at.at(span, Some(field), e.to_string())
        })
        .map(|c| c.with_note(note))
}

/// The holidays and adjusted working days of a built-in set, located in the set's own file.
fn holiday_set(
    at: &Locator<'_>,
    set: &Spanned<String>,
) -> Result<(Vec<DatedDay>, Vec<DatedDay>, String), PolicyError> {
    let text = match set.get_ref().as_str() {
        "cn" => include_str!("../presets/holidays/cn.toml"),
        other => {
            return Err(at.at(
                set.span(),
                None,
                format!("unknown holiday set `{other}` (built-in: cn)"),
            ));
        }
    };
    let file = format!("presets/holidays/{}.toml", set.get_ref());
    let inner = Locator { file: &file, text };
    let raw: format::HolidaySetFile = toml::from_str(text).map_err(|e| inner.toml(&e))?;
    let note = format!("Holidays: {} (built-in set `{}`)", raw.name, set.get_ref());
    Ok((
        dated_days(&inner, &raw.holidays)?,
        dated_days(&inner, &raw.working_days)?,
        note,
    ))
}

pub(super) fn release_train(
    at: &Locator<'_>,
    raw: &format::ReleaseTrainFile,
) -> Result<ReleaseTrain, PolicyError> {
    let min = count(at, &raw.min_interval_months, MAX_MONTHS)?;
    let max = count(at, &raw.max_interval_months, MAX_MONTHS)?;
    if min > max {
        return Err(at.at(
            raw.max_interval_months.span(),
            None,
            "max_interval_months is below min_interval_months",
        ));
    }
    let mut scheduled = raw
        .scheduled
        .iter()
        .map(|d| date(at, d.get_ref(), d.span()))
        .collect::<Result<Vec<_>, _>>()?;
    scheduled.sort();
    scheduled.dedup();
    Ok(ReleaseTrain {
        min_interval_months: min,
        max_interval_months: max,
        scheduled,
        note: raw.note.clone(),
    })
}
