//! The case API: list, read, lifecycle actions, assessment updates, tasks, messages, members,
//! deadlines (extensions, milestones met by hand) and the audit trail.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::StatusCode,
};
use serde::Deserialize;

use super::{
    AppState,
    api::parse_json,
    auth::StaffAuth,
    error::{ApiError, Problem},
};
use crate::{
    app::cases::{
        self, ActionRequest, CaseFilter, CaseList, CaseMessage, CasePatch, CaseView, DeadlineView,
        MessageRequest, TaskRequest, TaskUpdate,
    },
    storage::audit::StoredEvent,
};

fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    parse_json(bytes)
}

/// List the cases you may see (need-to-know applies to items and total).
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(CaseFilter), security(("bearer" = [])),
    responses((status = 200, body = CaseList), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list_cases(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    filter: Result<Query<CaseFilter>, QueryRejection>,
) -> Result<Json<CaseList>, ApiError> {
    let Query(filter) = filter
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    Ok(Json(cases::list(&state.app, &staff, &filter).await?))
}

/// Read a case with its deadlines, tasks and the actions you may take (the read is audited).
#[utoipa::path(get, path = "/api/v1/cases/{reference}", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_case(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(cases::get(&state.app, &staff, &reference).await?))
}

/// Update the assessment, facts, versions, assignee or post-mortem (send the `version` you read).
#[utoipa::path(patch, path = "/api/v1/cases/{reference}", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = CasePatch,
    responses((status = 200, body = CaseView), (status = 409, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn patch_case(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        cases::update(&state.app, &staff, &reference, body(&bytes)?).await?,
    ))
}

/// Take a lifecycle action (`acknowledge`, `start_triage`, `request_info`, `info_received`, `confirm`,
/// `start_remediation`, `release`, `approve_disclosure`, `disclose`, `start_post_release`, `close`,
/// `mark_duplicate`, `not_reproducible`, `already_fixed`, `propose_out_of_scope`,
/// `propose_not_security_issue`, `approve_decision`, `reject_decision`).
#[utoipa::path(post, path = "/api/v1/cases/{reference}/actions/{action}", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path), ("action" = String, Path)), request_body = ActionRequest,
    responses((status = 200, body = CaseView), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A guard failed or the version is stale", body = Problem, content_type = "application/problem+json")))]
pub async fn case_action(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((reference, action)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Json<CaseView>, ApiError> {
    Ok(Json(
        cases::act(&state.app, &staff, &reference, &action, body(&bytes)?).await?,
    ))
}

/// Add a task.
#[utoipa::path(post, path = "/api/v1/cases/{reference}/tasks", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = TaskRequest, responses((status = 201, body = CaseView)))]
pub async fn add_task(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<CaseView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(cases::add_task(&state.app, &staff, &reference, body(&bytes)?).await?),
    ))
}

/// Mark a task done (with evidence) or verified (QA).
#[utoipa::path(patch, path = "/api/v1/cases/{reference}/tasks/{id}", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path), ("id" = String, Path)), request_body = TaskUpdate, responses((status = 200, body = CaseView)))]
pub async fn update_task(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((reference, id)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Result<Json<CaseView>, ApiError> {
    // JSON, or multipart with the same fields plus `attachments` files as evidence.
    let (payload, _) =
        super::upload::read(&state, request, &["version", "state", "evidence"]).await?;
    let (update, files) = match payload {
        super::upload::Payload::Json(bytes) => (body::<TaskUpdate>(&bytes)?, Vec::new()),
        super::upload::Payload::Multipart(mut s) => {
            let version = s.take("version").and_then(|v| v.trim().parse::<i64>().ok());
            let Some(version) = version else {
                let mut e = psirt_domain::report::FieldErrors::default();
                e.push("version", "required", "send the version you read");
                return Err(crate::app::AppError::Invalid(e).into());
            };
            let update = TaskUpdate {
                version,
                state: s.take("state").unwrap_or_default(),
                evidence: s.take("evidence"),
            };
            (update, std::mem::take(&mut s.files))
        }
    };
    Ok(Json(
        cases::update_task(&state.app, &staff, &reference, &id, update, files).await?,
    ))
}

/// The conversation: internal notes and reporter-visible messages of every report in the case.
#[utoipa::path(get, path = "/api/v1/cases/{reference}/messages", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)), responses((status = 200, body = Vec<CaseMessage>)))]
pub async fn list_messages(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
) -> Result<Json<Vec<CaseMessage>>, ApiError> {
    Ok(Json(cases::messages(&state.app, &staff, &reference).await?))
}

/// Write an internal note or a message the reporter sees.
#[utoipa::path(post, path = "/api/v1/cases/{reference}/messages", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = MessageRequest, responses((status = 201, body = CaseMessage)))]
pub async fn post_message(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<CaseMessage>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(cases::post_message(&state.app, &staff, &reference, body(&bytes)?).await?),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberRequest {
    pub email: String,
}

/// Give a staff member need-to-know on the case (PSO, admin).
#[utoipa::path(post, path = "/api/v1/cases/{reference}/members", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = MemberRequest, responses((status = 204)))]
pub async fn add_member(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let req: MemberRequest = body(&bytes)?;
    cases::grant_member(&state.app, &staff, &reference, &req.email).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub version: i64,
    pub milestone: String,
    /// RFC 3339, later than the current due time.
    pub new_due: String,
    pub reason: String,
}

/// Extend a policy milestone (PSO, admin; the original due time stays on record).
#[utoipa::path(post, path = "/api/v1/cases/{reference}/extensions", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)), request_body = ExtensionRequest, responses((status = 201, body = Vec<DeadlineView>)))]
pub async fn extend(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<Vec<DeadlineView>>), ApiError> {
    let r: ExtensionRequest = body(&bytes)?;
    let deadlines = cases::extend(
        &state.app,
        &staff,
        &reference,
        &r.milestone,
        &r.new_due,
        &r.reason,
        r.version,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(deadlines)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetRequest {
    /// When it was met (RFC 3339; default now).
    pub at: Option<String>,
    pub evidence: String,
}

/// Record a milestone without a `met_by` event as met (e.g. a regulator's receipt).
#[utoipa::path(post, path = "/api/v1/cases/{reference}/milestones/{milestone}/met", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path), ("milestone" = String, Path)), request_body = MetRequest, responses((status = 200, body = Vec<DeadlineView>)))]
pub async fn milestone_met(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((reference, milestone)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Json<Vec<DeadlineView>>, ApiError> {
    let r: MetRequest = body(&bytes)?;
    Ok(Json(
        cases::mark_met(
            &state.app,
            &staff,
            &reference,
            &milestone,
            r.at.as_deref(),
            &r.evidence,
        )
        .await?,
    ))
}

/// The case's audit trail (PSO, admin).
#[utoipa::path(get, path = "/api/v1/cases/{reference}/audit", tag = "cases", security(("bearer" = [])),
    params(("reference" = String, Path)), responses((status = 200, body = Vec<Object>)))]
pub async fn audit(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
) -> Result<Json<Vec<StoredEvent>>, ApiError> {
    Ok(Json(
        cases::audit_trail(&state.app, &staff, &reference).await?,
    ))
}
