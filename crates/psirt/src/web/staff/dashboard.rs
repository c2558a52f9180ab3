//! `/dashboard`: my work, the deadline board, counts and charts.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use jiff::SignedDuration;

use super::{
    Layout,
    charts::{self, Chart},
    format,
};
use crate::{
    app::{cases::CaseSummary, dashboard},
    web::{AppState, pages::app_error_page, session::SignedIn},
};

/// A case row as the dashboard shows it.
pub struct Row {
    pub case: CaseSummary,
    pub due: String,
    pub left: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/dashboard.html")]
struct Page {
    layout: Layout,
    my_work: Vec<Row>,
    board: Vec<Row>,
    by_phase: Vec<(String, i64)>,
    by_grade: Vec<(String, i64)>,
    total: i64,
    charts: Vec<Chart>,
    compliance: String,
    acknowledge_target: String,
    fix_target: String,
}

fn rows(items: Vec<CaseSummary>, s: &SignedIn, now: jiff::Timestamp) -> Vec<Row> {
    items
        .into_iter()
        .map(|case| Row {
            due: format::local_opt(case.next_due_at.as_deref(), &s.session.time_zone),
            left: format::time_left(case.next_due_at.as_deref(), now),
            case,
        })
        .collect()
}

pub async fn page(State(state): State<AppState>, s: SignedIn) -> Response {
    let d = match dashboard::dashboard(&state.app, &s.session.staff).await {
        Ok(d) => d,
        Err(e) => return app_error_page(e),
    };
    let weeks: Vec<String> = (0..dashboard::WEEKS)
        .map(|i| {
            let start = d
                .now
                .saturating_sub(SignedDuration::from_hours(24 * 7 * (dashboard::WEEKS - i)))
                .unwrap_or(d.now);
            start
                .to_zoned(s.session.time_zone.clone())
                .strftime("%m-%d")
                .to_string()
        })
        .collect();
    let hours = |v: &[Option<f64>]| v.iter().map(|h| h.unwrap_or(0.0)).collect::<Vec<f64>>();
    let charts = vec![
        charts::bars(
            "Cases opened and closed per week",
            "Opened (dark) and closed (light) per week, last 12 weeks",
            &weeks,
            &[
                ("a", "opened", d.weekly.iter().map(|w| w.0 as f64).collect()),
                ("b", "closed", d.weekly.iter().map(|w| w.1 as f64).collect()),
            ],
        ),
        charts::bars(
            "Time to acknowledge (median hours)",
            "Median hours from receipt to acknowledgement, per week",
            &weeks,
            &[("a", "hours", hours(&d.acknowledge_hours))],
        ),
        charts::bars(
            "Time to fix (median hours)",
            "Median hours from confirmation to fix available, per week",
            &weeks,
            &[("b", "hours", hours(&d.fix_hours))],
        ),
    ];
    let (cases, breached) = d.compliance;
    let compliance = if cases == 0 {
        "no cases in the period".to_owned()
    } else {
        format!("{:.1} %", 100.0 * (cases - breached) as f64 / cases as f64)
    };
    Page {
        layout: Layout::of(&state, &s, "dashboard"),
        my_work: rows(d.my_work.items, &s, d.now),
        board: rows(d.board, &s, d.now),
        by_phase: d.by_phase,
        by_grade: d.by_grade,
        total: d.total,
        charts,
        compliance,
        acknowledge_target: d
            .acknowledge_target
            .unwrap_or_else(|| "none in the policy".into()),
        fix_target: d.fix_target.unwrap_or_else(|| "none in the policy".into()),
    }
    .into_response()
}
