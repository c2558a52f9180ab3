//! Turns the file model of `format.rs` into validated policy and regime values, refusing with
//! the file, line and field of the first broken rule.

mod calendar;
mod clocks;
mod grading;

use calendar::{calendar, release_train};
pub(in crate::policy) use clocks::{milestones, retention};
use grading::grading;

use jiff::civil::{Date, Weekday};
use toml::Spanned;
use toml::value::Datetime;

use super::calendar::{Calendar, DatedDay, ReleaseTrain};
use super::error::Locator;
use super::format::{self, GradingMethod, MilestoneFile, PolicyFile, RetentionFile, WeekdayName};
use super::milestone::{AppliesTo, Due, Milestone, Obligation, RetentionPeriod, RetentionRule};
use super::regime::RegimeId;
use super::{Category, Grade, Grading, Playbook, Policy, PolicyError, ScoreRange};

/// Longest clock accepted: ten years, so arithmetic stays far inside jiff's range.
const MAX_HOURS: i64 = 24 * 3653;
const MAX_DAYS: i64 = 3653;
const MAX_MONTHS: i64 = 120;
const MAX_GRADES: usize = 64;
const DEFAULT_AT_RISK: f64 = 0.75;

pub(super) fn policy(file: &str, text: &str) -> Result<Policy, PolicyError> {
    let at = Locator { file, text };
    let raw: PolicyFile = toml::from_str(text).map_err(|e| at.toml(&e))?;
    let header = raw.policy;
    check_id(&at, &header.id)?;
    let at_risk = fraction(&at, header.at_risk_fraction.as_ref(), DEFAULT_AT_RISK)?;
    let grades = grades(&at, &raw.grades)?;
    let grading = grading(&at, raw.grading, &grades)?;
    let calendar = calendar(&at, &raw.calendar)?;
    let release_train = raw
        .release_train
        .map(|t| release_train(&at, &t))
        .transpose()?;
    let mut playbooks = Vec::with_capacity(raw.playbooks.len());
    for p in raw.playbooks {
        if p.tasks.get_ref().is_empty() {
            return Err(at.at(
                p.tasks.span(),
                None,
                "a playbook needs at least one disposal task",
            ));
        }
        playbooks.push(Playbook {
            grade: grade_index(&at, &grades, &p.grade)?,
            vulnerability_type: p.vulnerability_type,
            tasks: p.tasks.into_inner(),
            source: p.source,
        });
    }
    let milestones = milestones(&at, &raw.milestones, Some(&grades), at_risk)?;
    if let Some(i) = raw
        .milestones
        .iter()
        .position(|m| needs_release_train(m.get_ref()))
        && release_train.is_none()
    {
        {
            let span = raw.milestones.get(i).map_or(0..0, Spanned::span);
            let field = format!("milestones[{i}].next_release");
            return Err(at.at(
                span,
                Some(&field),
                "a next-release milestone needs a [release_train] table",
            ));
        }
    }
    let mut regimes = Vec::with_capacity(header.regimes.len());
    for r in &header.regimes {
        let id = r
            .get_ref()
            .parse::<RegimeId>()
            .map_err(|e| at.at(r.span(), None, e.to_string()))?;
        regimes.push(id);
    }
    Ok(Policy {
        id: header.id.into_inner(),
        name: header.name,
        description: header.description,
        source: header.source,
        grades,
        grading,
        playbooks,
        milestones,
        calendar,
        release_train,
        pause_while_waiting_for_reporter: header.pause_while_waiting_for_reporter,
        regimes,
        retention: retention(&at, &raw.retention)?,
        obligations: raw
            .obligations
            .into_iter()
            .map(|o| Obligation {
                id: o.id,
                text: o.text,
                after: o.after,
                source: o.source,
            })
            .collect(),
    })
}

fn needs_release_train(m: &MilestoneFile) -> bool {
    m.or_next_release || m.next_release.as_ref().is_some_and(|n| *n.get_ref())
}

fn check_id(at: &Locator<'_>, id: &Spanned<String>) -> Result<(), PolicyError> {
    let s = id.get_ref();
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(at.at(
            id.span(),
            None,
            format!("`{s}` is not an id (lower-case letters, digits, `-`, `_`)"),
        ))
    }
}

fn fraction(
    at: &Locator<'_>,
    value: Option<&Spanned<f64>>,
    default: f64,
) -> Result<f64, PolicyError> {
    match value {
        None => Ok(default),
        Some(v) if *v.get_ref() > 0.0 && *v.get_ref() <= 1.0 => Ok(*v.get_ref()),
        Some(v) => Err(at.at(
            v.span(),
            None,
            format!("{} is not a fraction in (0, 1]", v.get_ref()),
        )),
    }
}

fn grades(at: &Locator<'_>, raw: &[Spanned<format::GradeFile>]) -> Result<Vec<Grade>, PolicyError> {
    if raw.is_empty() {
        return Err(at.at(0..0, Some("grades"), "a policy needs at least one grade"));
    }
    if let Some(extra) = raw.get(MAX_GRADES) {
        return Err(at.at(
            extra.span(),
            Some(&format!("grades[{MAX_GRADES}]")),
            format!("at most {MAX_GRADES} grades"),
        ));
    }
    let mut out: Vec<Grade> = Vec::with_capacity(raw.len());
    for (index, g) in raw.iter().enumerate() {
        let g = g.get_ref();
        check_id(at, &g.id)?;
        if out.iter().any(|o| o.id == *g.id.get_ref()) {
            return Err(at.at(
                g.id.span(),
                None,
                format!("grade `{}` is defined twice", g.id.get_ref()),
            ));
        }
        out.push(Grade {
            id: g.id.get_ref().clone(),
            index,
            label: g.label.clone(),
            description: g.description.clone(),
            examples: g.examples.clone(),
            ignored: g.ignored,
            remediation: g.remediation.clone(),
            disclosure: g.disclosure.clone(),
        });
    }
    Ok(out)
}

fn grade_index(
    at: &Locator<'_>,
    grades: &[Grade],
    id: &Spanned<String>,
) -> Result<usize, PolicyError> {
    grades
        .iter()
        .position(|g| g.id == *id.get_ref())
        .ok_or_else(|| {
            let known: Vec<&str> = grades.iter().map(|g| g.id.as_str()).collect();
            at.at(
                id.span(),
                None,
                format!(
                    "unknown grade `{}` (grades: {})",
                    id.get_ref(),
                    known.join(", ")
                ),
            )
        })
}

/// A positive whole number no larger than `limit`.
fn count(at: &Locator<'_>, v: &Spanned<i64>, limit: i64) -> Result<u32, PolicyError> {
    let n = *v.get_ref();
    if n <= 0 {
        return Err(at.at(v.span(), None, format!("must be positive, got {n}")));
    }
    if n > limit {
        return Err(at.at(
            v.span(),
            None,
            format!("{n} is longer than the ten-year limit ({limit})"),
        ));
    }
    u32::try_from(n).map_err(|_| at.at(v.span(), None, "out of range"))
}
