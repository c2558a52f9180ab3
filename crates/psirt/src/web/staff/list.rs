//! `/cases`: the filtered, searchable, sortable, paginated case list, bulk assignment, and the
//! CSV export of the same filter (same need-to-know: it is the same use case).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Query, State, rejection::QueryRejection},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};

use super::{Layout, format};
use crate::{
    app::{
        AppError,
        cases::{self, CaseFilter, CasePatch, CaseSummary},
    },
    web::{
        AppState,
        pages::{app_error_page, error_page},
        session::{SignedIn, StaffForm},
    },
};

pub struct Row {
    pub case: CaseSummary,
    pub due: String,
    pub left: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/cases.html")]
struct Page {
    layout: Layout,
    f: FilterValues,
    rows: Vec<Row>,
    total: i64,
    from: i64,
    to: i64,
    prev: Option<String>,
    next: Option<String>,
    csv: String,
    phases: Vec<&'static str>,
    deadline_states: Vec<&'static str>,
    errors: Vec<String>,
}

/// The filter as typed, for re-showing the form.
#[derive(Default)]
struct FilterValues {
    q: String,
    phase: String,
    grade: String,
    product: String,
    assignee: String,
    deadline: String,
    sort: String,
}

fn values(f: &CaseFilter) -> FilterValues {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    FilterValues {
        q: v(&f.q),
        phase: v(&f.phase),
        grade: v(&f.grade),
        product: v(&f.product),
        assignee: v(&f.assignee),
        deadline: v(&f.deadline),
        sort: v(&f.sort),
    }
}

fn query_string(f: &CaseFilter, offset: Option<i64>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for (k, v) in [
        ("q", &f.q),
        ("phase", &f.phase),
        ("grade", &f.grade),
        ("product", &f.product),
        ("assignee", &f.assignee),
        ("deadline", &f.deadline),
        ("sort", &f.sort),
    ] {
        if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
            pairs.push((k, v.clone()));
        }
    }
    if let Some(limit) = f.limit {
        pairs.push(("limit", limit.to_string()));
    }
    if let Some(o) = offset.filter(|o| *o > 0) {
        pairs.push(("offset", o.to_string()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

fn filter_of(query: Result<Query<CaseFilter>, QueryRejection>) -> Result<CaseFilter, String> {
    query.map(|Query(f)| f).map_err(|e| e.body_text())
}

pub async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    query: Result<Query<CaseFilter>, QueryRejection>,
) -> Response {
    let f = match filter_of(query) {
        Ok(f) => f,
        Err(why) => return error_page(StatusCode::BAD_REQUEST, &why),
    };
    let (list, errors) = match cases::list(&state.app, &s.session.staff, &f).await {
        Ok(list) => (list, Vec::new()),
        Err(AppError::Invalid(fields)) => (
            cases::CaseList {
                items: Vec::new(),
                total: 0,
            },
            fields
                .0
                .into_iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        ),
        Err(e) => return app_error_page(e),
    };
    let now = state.app.clock.now();
    let limit = f.limit.unwrap_or(50).clamp(1, 500);
    let offset = f.offset.unwrap_or(0).max(0);
    let shown = i64::try_from(list.items.len()).unwrap_or(0);
    let rows = list
        .items
        .into_iter()
        .map(|case| Row {
            due: format::local_opt(case.next_due_at.as_deref(), &s.session.time_zone),
            left: format::time_left(case.next_due_at.as_deref(), now),
            case,
        })
        .collect();
    Page {
        layout: Layout::of(&state, &s, "cases"),
        f: values(&f),
        rows,
        total: list.total,
        from: if shown == 0 { 0 } else { offset + 1 },
        to: offset + shown,
        prev: (offset > 0)
            .then(|| format!("/cases?{}", query_string(&f, Some((offset - limit).max(0))))),
        next: (offset + shown < list.total)
            .then(|| format!("/cases?{}", query_string(&f, Some(offset + limit)))),
        csv: format!("/cases.csv?{}", query_string(&f, None)),
        phases: vec![
            "received",
            "acknowledged",
            "triage",
            "confirmed",
            "remediation",
            "release",
            "disclosed",
            "post_release",
            "closed",
        ],
        deadline_states: vec!["breached", "at_risk", "on_track", "none"],
        errors,
    }
    .into_response()
}

/// A CSV cell; text that a spreadsheet would run as a formula is prefixed with `'`.
fn cell(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    format!("\"{}\"", v.replace('"', "\"\""))
}

pub async fn csv(
    State(state): State<AppState>,
    s: SignedIn,
    query: Result<Query<CaseFilter>, QueryRejection>,
) -> Response {
    let mut f = match filter_of(query) {
        Ok(f) => f,
        Err(why) => return error_page(StatusCode::BAD_REQUEST, &why),
    };
    let mut out = String::from(
        "reference,title,phase,resolution,grade,product,assignee,deadline_state,next_due_at,opened_at\r\n",
    );
    f.limit = Some(500);
    f.offset = Some(0);
    loop {
        let list = match cases::list(&state.app, &s.session.staff, &f).await {
            Ok(l) => l,
            Err(e) => return app_error_page(e),
        };
        let n = i64::try_from(list.items.len()).unwrap_or(0);
        for c in list.items {
            let fields = [
                c.reference,
                c.title,
                c.phase,
                c.resolution.unwrap_or_default(),
                c.grade.unwrap_or_default(),
                c.product.unwrap_or_default(),
                c.assignee.unwrap_or_default(),
                c.deadline_state,
                c.next_due_at.unwrap_or_default(),
                c.opened_at,
            ];
            out.push_str(&fields.iter().map(|v| cell(v)).collect::<Vec<_>>().join(","));
            out.push_str("\r\n");
        }
        let offset = f.offset.unwrap_or(0) + n;
        if n == 0 || offset >= list.total {
            break;
        }
        f.offset = Some(offset);
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"cases.csv\"",
            ),
        ],
        out,
    )
        .into_response()
}

/// Assigns every ticked case to one person (each through the same update use case).
pub async fn bulk_assign(
    State(state): State<AppState>,
    form: StaffForm<Vec<(String, String)>>,
) -> Response {
    let staff = &form.signed_in.session.staff;
    let assignee = form
        .form
        .iter()
        .find(|(k, _)| k == "assignee")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    for (_, reference) in form.form.iter().filter(|(k, _)| k == "reference") {
        let result = async {
            let case = cases::get(&state.app, staff, reference).await?;
            cases::update(
                &state.app,
                staff,
                reference,
                CasePatch {
                    version: case.version,
                    assignee: Some(assignee.clone()),
                    ..CasePatch::default()
                },
            )
            .await
        }
        .await;
        if let Err(e) = result {
            return app_error_page(e);
        }
    }
    Redirect::to("/cases").into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_quoted_and_defused() {
        assert_eq!(super::cell("a\"b"), "\"a\"\"b\"");
        assert_eq!(super::cell("=cmd()"), "\"'=cmd()\"");
    }
}
