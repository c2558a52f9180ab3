//! Milestones and retention rules, shared by policies and regimes.

use super::*;

/// Builds milestones; `grades` is `None` for regimes, whose milestones bind every case.
pub(in crate::policy) fn milestones(
    at: &Locator<'_>,
    raw: &[Spanned<MilestoneFile>],
    grades: Option<&[Grade]>,
    default_at_risk: f64,
) -> Result<Vec<Milestone>, PolicyError> {
    let mut out: Vec<Milestone> = Vec::with_capacity(raw.len());
    for (i, spanned) in raw.iter().enumerate() {
        let here = |key: &str| format!("milestones[{i}].{key}");
        let m = spanned.get_ref();
        check_id(at, &m.id)?;
        if out.iter().any(|o| o.id == *m.id.get_ref()) {
            return Err(at.at(
                m.id.span(),
                None,
                format!("milestone `{}` is defined twice", m.id.get_ref()),
            ));
        }
        let mut due = Vec::with_capacity(1);
        if let Some(h) = &m.hours {
            due.push(Due::Hours(count(at, h, MAX_HOURS)?));
        }
        if let Some(d) = &m.calendar_days {
            due.push(Due::CalendarDays(count(at, d, MAX_DAYS)?));
        }
        if let Some(d) = &m.working_days {
            due.push(Due::WorkingDays(count(at, d, MAX_DAYS)?));
        }
        if let Some(n) = &m.next_release {
            if !*n.get_ref() {
                return Err(at.at(
                    n.span(),
                    None,
                    "write `next_release = true` or leave it out",
                ));
            }
            due.push(Due::NextRelease);
        }
        let due = match due.as_slice() {
            [one] => *one,
            [] => {
                return Err(at.at(
                    spanned.span(),
                    Some(&here("hours")),
                    "give one of hours, calendar_days, working_days, next_release",
                ));
            }
            _ => {
                return Err(at.at(
                    spanned.span(),
                    Some(&here("hours")),
                    "give only one of hours, calendar_days, working_days, next_release",
                ));
            }
        };
        if m.or_next_release && due == Due::NextRelease {
            return Err(at.at(
                spanned.span(),
                Some(&here("or_next_release")),
                "or_next_release needs a fixed duration to compare with",
            ));
        }
        if let Some(t) = &m.third_party_start
            && *t.get_ref() == m.start
        {
            return Err(at.at(t.span(), None, "third_party_start repeats start"));
        }
        let applies_to = match (&m.grades, grades) {
            (None, _) => AppliesTo::AllGrades,
            (Some(list), None) => {
                return Err(at.at(
                    list.span(),
                    None,
                    "regime milestones bind every case: remove `grades`",
                ));
            }
            (Some(list), Some(grades)) => {
                if list.get_ref().is_empty() {
                    return Err(at.at(
                        list.span(),
                        None,
                        "an empty grade list binds nothing: list grades or leave it out",
                    ));
                }
                let mut mask = 0u64;
                for g in list.get_ref() {
                    mask |= 1u64 << grade_index(at, grades, g)?;
                }
                AppliesTo::Grades(mask)
            }
        };
        out.push(Milestone {
            id: m.id.get_ref().clone(),
            name: m.name.clone(),
            start: m.start,
            third_party_start: m.third_party_start.as_ref().map(|t| *t.get_ref()),
            met_by: m.met_by,
            due,
            or_next_release: m.or_next_release,
            applies_to,
            at_risk_fraction: fraction(at, m.at_risk_fraction.as_ref(), default_at_risk)?,
            source: m.source.clone(),
            note: m.note.clone(),
        });
    }
    Ok(out)
}

pub(in crate::policy) fn retention(
    at: &Locator<'_>,
    raw: &[Spanned<RetentionFile>],
) -> Result<Vec<RetentionRule>, PolicyError> {
    raw.iter()
        .enumerate()
        .map(|(i, r)| {
            let v = r.get_ref();
            let minimum = match (&v.min_days, &v.min_months) {
                (Some(d), None) => RetentionPeriod::Days(count(at, d, MAX_DAYS)?),
                (None, Some(m)) => RetentionPeriod::Months(count(at, m, MAX_MONTHS)?),
                _ => {
                    return Err(at.at(
                        r.span(),
                        Some(&format!("retention[{i}]")),
                        "give exactly one of min_days, min_months",
                    ));
                }
            };
            Ok(RetentionRule {
                id: v.id.clone(),
                what: v.what.clone(),
                minimum,
                source: v.source.clone(),
            })
        })
        .collect()
}
