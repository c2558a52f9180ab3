//! The staff dashboard: my work, the deadline board (breached and at risk first), counts by
//! phase and grade, and the figures behind the charts — all under need-to-know.

use jiff::{SignedDuration, Timestamp};
use psirt_domain::policy::StartEvent;

use super::{App, AppError, Staff, cases};
use crate::storage::{dashboard, reports::Viewer};

pub struct Dashboard {
    pub my_work: cases::CaseList,
    /// Breached first, then at risk; next due first within each.
    pub board: Vec<cases::CaseSummary>,
    pub by_phase: Vec<(String, i64)>,
    pub by_grade: Vec<(String, i64)>,
    pub total: i64,
    /// Opened and closed per week, oldest first.
    pub weekly: Vec<(i64, i64)>,
    /// Median hours from receipt to acknowledgement, and from confirmation to fix, per week.
    pub acknowledge_hours: Vec<Option<f64>>,
    pub fix_hours: Vec<Option<f64>>,
    /// What the active policy targets, as written (`24 hours`, `10 working days`).
    pub acknowledge_target: Option<String>,
    pub fix_target: Option<String>,
    /// Cases opened in the period and how many ever breached a deadline.
    pub compliance: (i64, i64),
    pub now: Timestamp,
}

pub const WEEKS: i64 = 12;

fn filter(deadline: Option<&str>, assignee: Option<&str>, limit: i64) -> cases::CaseFilter {
    cases::CaseFilter {
        deadline: deadline.map(str::to_owned),
        assignee: assignee.map(str::to_owned),
        sort: Some("due".into()),
        limit: Some(limit),
        ..cases::CaseFilter::default()
    }
}

fn weekly_median(points: &[(Timestamp, f64)], now: Timestamp) -> Vec<Option<f64>> {
    let start = now
        .saturating_sub(SignedDuration::from_hours(24 * 7 * WEEKS))
        .unwrap_or(now);
    let mut weeks: Vec<Vec<f64>> = vec![Vec::new(); usize::try_from(WEEKS).unwrap_or(0)];
    for (at, hours) in points {
        let w = at.duration_since(start).as_hours() / (24 * 7);
        if let Some(slot) = usize::try_from(w).ok().and_then(|w| weeks.get_mut(w)) {
            slot.push(*hours);
        }
    }
    weeks
        .into_iter()
        .map(|mut v| {
            v.sort_by(f64::total_cmp);
            v.get(v.len() / 2).copied()
        })
        .collect()
}

fn target(app: &App, event: StartEvent) -> Option<String> {
    app.policy
        .milestones
        .iter()
        .find(|m| m.met_by == Some(event))
        .map(|m| format!("{}: {}", m.name, m.due))
}

pub async fn dashboard(app: &App, staff: &Staff) -> Result<Dashboard, AppError> {
    let now = app.clock.now();
    let my_work = cases::list(app, staff, &filter(None, Some("me"), 10)).await?;
    let mut board = cases::list(app, staff, &filter(Some("breached"), None, 15))
        .await?
        .items;
    board.extend(
        cases::list(app, staff, &filter(Some("at_risk"), None, 15))
            .await?
            .items,
    );
    let viewer = Viewer {
        user_id: &staff.user_id,
        sees_all: staff.role.sees_all_reports(),
    };
    let counts = dashboard::counts(&app.db, viewer).await?;
    let mut by_phase: Vec<(String, i64)> = Vec::new();
    let mut by_grade: Vec<(String, i64)> = Vec::new();
    for (phase, grade, n) in &counts {
        add(&mut by_phase, phase, *n);
        add(&mut by_grade, grade.as_deref().unwrap_or("ungraded"), *n);
    }
    by_grade.sort();
    let since = now
        .saturating_sub(SignedDuration::from_hours(24 * 7 * WEEKS))
        .unwrap_or(now);
    let ack = dashboard::durations(&app.db, viewer, "received", "acknowledged", since).await?;
    let fix = dashboard::durations(&app.db, viewer, "confirmed", "fix_available", since).await?;
    Ok(Dashboard {
        my_work,
        board,
        total: counts.iter().map(|c| c.2).sum(),
        by_phase,
        by_grade,
        weekly: dashboard::weekly(&app.db, viewer, now, WEEKS).await?,
        acknowledge_hours: weekly_median(&ack, now),
        fix_hours: weekly_median(&fix, now),
        acknowledge_target: target(app, StartEvent::Acknowledged),
        fix_target: target(app, StartEvent::FixAvailable),
        compliance: dashboard::compliance(&app.db, viewer, since).await?,
        now,
    })
}

fn add(list: &mut Vec<(String, i64)>, key: &str, n: i64) {
    match list.iter_mut().find(|(k, _)| k == key) {
        Some(entry) => entry.1 += n,
        None => list.push((key.to_owned(), n)),
    }
}
