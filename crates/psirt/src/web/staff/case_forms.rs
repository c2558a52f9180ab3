//! The case page's forms, each a thin translation to the same use case the JSON API calls.
//! On success: back to the case page. On a refused change: the error page names the reason.

use axum::{
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use psirt_domain::case::TriageAnswers;
use serde::Deserialize;

use super::case_page::{V31, V40};
use crate::{
    app::{
        AppError,
        cases::{
            self, ActionRequest, CasePatch, CvssInput, GradeInput, MessageRequest, TaskRequest,
            TaskUpdate, VersionInput,
        },
    },
    web::{AppState, pages::app_error_page, session::StaffForm},
};

fn back(reference: &str, result: Result<impl Sized, AppError>) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/cases/{reference}")).into_response(),
        Err(e) => app_error_page(e),
    }
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_owned())
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    version: i64,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    duplicate_of: String,
    #[serde(default)]
    bug_reference: String,
}

pub async fn action(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    f: StaffForm<ActionForm>,
) -> Response {
    let req = ActionRequest {
        version: f.form.version,
        reason: opt(&f.form.reason),
        duplicate_of: opt(&f.form.duplicate_of),
        bug_reference: opt(&f.form.bug_reference),
    };
    back(
        &reference,
        cases::act(
            &state.app,
            &f.signed_in.session.staff,
            &reference,
            &f.form.action,
            req,
        )
        .await,
    )
}

#[derive(Debug, Deserialize)]
pub struct AssessmentForm {
    version: i64,
    #[serde(default)]
    applies_to_supported_product: String,
    #[serde(default)]
    reproducible: String,
    #[serde(default)]
    exploitable: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    grade_rationale: String,
    #[serde(default)]
    affected: String,
    #[serde(default)]
    cwe: String,
}

fn answer(v: &str) -> Option<bool> {
    match v {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

pub async fn assessment(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    f: StaffForm<AssessmentForm>,
) -> Response {
    let a = &f.form;
    let affected: Vec<VersionInput> = a
        .affected
        .split(';')
        .filter_map(|pair| pair.split_once('/'))
        .map(|(p, v)| VersionInput {
            product: p.trim().to_owned(),
            version: v.trim().to_owned(),
        })
        .filter(|v| !v.product.is_empty() && !v.version.is_empty())
        .collect();
    let patch = CasePatch {
        version: a.version,
        triage: Some(TriageAnswers {
            applies_to_supported_product: answer(&a.applies_to_supported_product),
            reproducible: answer(&a.reproducible),
            exploitable: answer(&a.exploitable),
        }),
        grade: opt(&a.grade).map(|id| GradeInput {
            id,
            source: Some("decision".into()),
            rationale: a.grade_rationale.trim().to_owned(),
        }),
        affected_versions: (!affected.is_empty()).then_some(affected),
        cwe: opt(&a.cwe),
        ..CasePatch::default()
    };
    back(
        &reference,
        cases::update(&state.app, &f.signed_in.session.staff, &reference, patch).await,
    )
}

/// The calculator: the chosen metrics become a vector; the use case parses and scores it exactly.
pub async fn cvss(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    f: StaffForm<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        f.form
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let version = get("version").parse::<i64>().unwrap_or(-1);
    let (prefix, table) = if get("cvss") == "4.0" {
        ("CVSS:4.0", V40)
    } else {
        ("CVSS:3.1", V31)
    };
    let parts: Vec<String> = table
        .iter()
        .map(|(key, _, _)| format!("{key}:{}", get(key)))
        .collect();
    let input = CvssInput {
        vector: format!("{prefix}/{}", parts.join("/")),
        source: Some("psirt".into()),
        rationale: opt(&get("rationale")),
    };
    let mut patch = CasePatch {
        version,
        ..CasePatch::default()
    };
    if prefix == "CVSS:4.0" {
        patch.cvss_v4_0 = Some(input);
    } else {
        patch.cvss_v3_1 = Some(input);
    }
    back(
        &reference,
        cases::update(&state.app, &f.signed_in.session.staff, &reference, patch).await,
    )
}

#[derive(Debug, Deserialize)]
pub struct TaskForm {
    version: i64,
    kind: String,
    title: String,
    #[serde(default)]
    assignee: String,
}

pub async fn add_task(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    f: StaffForm<TaskForm>,
) -> Response {
    let t = &f.form;
    let req = TaskRequest {
        version: t.version,
        kind: t.kind.clone(),
        title: t.title.clone(),
        assignee: opt(&t.assignee),
        due_at: None,
    };
    back(
        &reference,
        cases::add_task(&state.app, &f.signed_in.session.staff, &reference, req).await,
    )
}

#[derive(Debug, Deserialize)]
pub struct TaskStateForm {
    version: i64,
    state: String,
    #[serde(default)]
    evidence: String,
}

pub async fn update_task(
    State(state): State<AppState>,
    Path((reference, id)): Path<(String, String)>,
    f: StaffForm<TaskStateForm>,
) -> Response {
    let t = &f.form;
    let req = TaskUpdate {
        version: t.version,
        state: t.state.clone(),
        evidence: opt(&t.evidence),
    };
    back(
        &reference,
        cases::update_task(
            &state.app,
            &f.signed_in.session.staff,
            &reference,
            &id,
            req,
            Vec::new(),
        )
        .await,
    )
}

#[derive(Debug, Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    visibility: String,
}

pub async fn message(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    f: StaffForm<MessageForm>,
) -> Response {
    let req = MessageRequest {
        body: Some(f.form.body.clone()),
        visibility: opt(&f.form.visibility),
    };
    back(
        &reference,
        cases::post_message(&state.app, &f.signed_in.session.staff, &reference, req).await,
    )
}

#[derive(Debug, Deserialize)]
pub struct MemberForm {
    email: String,
}

pub async fn member(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    f: StaffForm<MemberForm>,
) -> Response {
    back(
        &reference,
        cases::grant_member(
            &state.app,
            &f.signed_in.session.staff,
            &reference,
            &f.form.email,
        )
        .await,
    )
}
