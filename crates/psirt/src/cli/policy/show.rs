//! `psirt policy show ID`: a policy in words, for people choosing or auditing one.

use std::io::{self, Write};

use psirt_domain::policy::{Grading, Milestone, Policy};

pub(super) fn render(p: &Policy, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{} — {}", p.id, p.name)?;
    writeln!(out, "{}", p.description)?;
    if !p.source.is_empty() {
        writeln!(out, "Source: {}", p.source)?;
    }
    writeln!(out, "\nGrades (most severe first):")?;
    for g in &p.grades {
        let ignored = if g.ignored {
            " (ignored: closed without a fix)"
        } else {
            ""
        };
        writeln!(out, "  {:<10} {}{ignored}", g.id, g.label)?;
        for (what, text) in [
            ("", &g.description),
            ("remediation: ", &g.remediation),
            ("disclosure: ", &g.disclosure),
        ] {
            if !text.is_empty() {
                writeln!(out, "             {what}{text}")?;
            }
        }
        if !g.examples.is_empty() {
            writeln!(out, "             e.g. {}", g.examples.join("; "))?;
        }
    }
    grading(p, out)?;
    if !p.playbooks.is_empty() {
        writeln!(out, "\nPlaybooks:")?;
        for b in &p.playbooks {
            let grade = p.grades.get(b.grade).map_or("?", |g| g.id.as_str());
            writeln!(
                out,
                "  {} → {grade}: {}",
                b.vulnerability_type,
                b.tasks.join("; ")
            )?;
        }
    }
    writeln!(out, "\nMilestones:")?;
    for m in &p.milestones {
        milestone(p, m, out)?;
    }
    if !p.regimes.is_empty() {
        let ids: Vec<&str> = p.regimes.iter().map(|r| r.as_str()).collect();
        writeln!(out, "\nRegimes always applied: {}", ids.join(", "))?;
    }
    calendar(p, out)?;
    if !p.retention.is_empty() {
        writeln!(out, "\nRetention:")?;
        for r in &p.retention {
            writeln!(out, "  {}: at least {}", r.what, r.minimum)?;
        }
    }
    if !p.obligations.is_empty() {
        writeln!(out, "\nObligations without a clock:")?;
        for o in &p.obligations {
            let after = o.after.map(|e| format!(" (after {e})")).unwrap_or_default();
            writeln!(out, "  - {}{after}", o.text)?;
        }
    }
    Ok(())
}

fn grading(p: &Policy, out: &mut dyn Write) -> io::Result<()> {
    let id = |i: usize| p.grades.get(i).map_or("?", |g| g.id.as_str());
    writeln!(out)?;
    match &p.grading {
        Grading::Cvss {
            version,
            ranges,
            description,
        } => {
            writeln!(out, "Grading: CVSS v{version} base score. {description}")?;
            for r in ranges {
                writeln!(out, "  {:>4.1} – {:>4.1}  {}", r.min, r.max, id(r.grade))?;
            }
        }
        Grading::Asil {
            qm,
            a,
            b,
            c,
            d,
            description,
        } => {
            writeln!(out, "Grading: ISO 26262 ASIL. {description}")?;
            writeln!(
                out,
                "  ASIL D → {}, C → {}, B → {}, A → {}, QM → {}",
                id(*d),
                id(*c),
                id(*b),
                id(*a),
                id(*qm)
            )?;
        }
        Grading::Category {
            categories,
            description,
        } => {
            writeln!(out, "Grading: category taxonomy. {description}")?;
            for c in categories {
                writeln!(out, "  {:<34} → {}: {}", c.id, id(c.grade), c.description)?;
            }
        }
        Grading::Decision { description } => {
            writeln!(
                out,
                "Grading: a person decides and records the rationale. {description}"
            )?;
        }
    }
    Ok(())
}

fn milestone(p: &Policy, m: &Milestone, out: &mut dyn Write) -> io::Result<()> {
    let grades = match m.applies_to {
        psirt_domain::policy::AppliesTo::AllGrades => "every grade".to_owned(),
        other => p.grade_ids(other).join(", "),
    };
    let or_release = if m.or_next_release {
        " or next release (the later)"
    } else {
        ""
    };
    let third = m
        .third_party_start
        .map(|e| format!(" (third-party: from {e})"))
        .unwrap_or_default();
    writeln!(
        out,
        "  {:<28} {}{or_release} after {}{third} — {grades}",
        m.id, m.due, m.start
    )?;
    if !m.source.is_empty() {
        writeln!(out, "  {:<28} source: {}", "", m.source)?;
    }
    if !m.note.is_empty() {
        writeln!(out, "  {:<28} note: {}", "", m.note)?;
    }
    Ok(())
}

fn calendar(p: &Policy, out: &mut dyn Write) -> io::Result<()> {
    let c = &p.calendar;
    let days: Vec<String> = c.working_weekdays().map(|d| format!("{d:?}")).collect();
    writeln!(
        out,
        "\nCalendar: {}, working days {}",
        c.zone_name(),
        days.join(", ")
    )?;
    writeln!(
        out,
        "  {} holidays, {} adjusted working days",
        c.holidays().len(),
        c.extra_working_days().len()
    )?;
    if let (Some(first), Some(last)) = (c.holidays().first(), c.holidays().last()) {
        writeln!(out, "  holidays from {} to {}", first.date, last.date)?;
    }
    if !c.note().is_empty() {
        writeln!(out, "  {}", c.note())?;
    }
    if let Some(t) = &p.release_train {
        writeln!(
            out,
            "Release train: every {}–{} months",
            t.min_interval_months, t.max_interval_months
        )?;
        if !t.scheduled.is_empty() {
            let dates: Vec<String> = t.scheduled.iter().map(ToString::to_string).collect();
            writeln!(out, "  scheduled: {}", dates.join(", "))?;
        }
        if !t.note.is_empty() {
            writeln!(out, "  {}", t.note)?;
        }
    }
    writeln!(
        out,
        "Clocks pause while waiting for the reporter: {}",
        if p.pause_while_waiting_for_reporter {
            "yes"
        } else {
            "no"
        }
    )
}
