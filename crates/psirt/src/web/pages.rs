//! The public pages: the disclosure policy, the report form, the receipt, the tracking page and
//! the one-time setup page. They work without JavaScript; every value is auto-escaped by askama.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{Path, Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use psirt_domain::report::{Channel, MessageForm, ReportForm};
use serde::Deserialize;

use super::{
    AppState,
    api::{REPORT_FIELDS, report_form_from},
    error::ApiError,
    upload::{self, Payload},
};
use crate::app::{
    AppError, admin, disclosure, intake, intake::Receipt, tracking, tracking::TrackingView,
};
use crate::storage::catalog;

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    org_name: String,
    contact: String,
    policy_name: String,
    response_times: Vec<disclosure::ResponseTime>,
    grades: Vec<(String, String)>,
}

/// The vulnerability disclosure policy, rendered from the active policy.
#[utoipa::path(get, path = "/", tag = "pages", responses((status = 200, content_type = "text/html", body = String)))]
pub async fn home(State(state): State<AppState>) -> Response {
    let org = &state.app.config.organization;
    let summary = disclosure::summary(&state.app);
    HomePage {
        org_name: org.name.clone(),
        contact: org.security_contact.clone(),
        policy_name: summary.policy_name,
        response_times: summary.response_times,
        grades: summary.grades,
    }
    .into_response()
}

/// What the reporter typed, as plain strings for the form.
#[derive(Default)]
struct FormValues {
    anonymous: bool,
    reporter_name: String,
    reporter_organization: String,
    reporter_job_title: String,
    reporter_email: String,
    product: String,
    model: String,
    version: String,
    title: String,
    description: String,
    technical_details: String,
    reproduction_steps: String,
    disclosure_plans: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_form.html")]
struct ReportFormPage {
    org_name: String,
    v: FormValues,
    errors: Vec<(String, String)>,
    files_lost: bool,
    products: Vec<String>,
    models: Vec<String>,
    versions: Vec<String>,
    max_files: usize,
    max_file_mib: u64,
}

impl ReportFormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

async fn form_page(
    state: &AppState,
    v: FormValues,
    errors: Vec<(String, String)>,
    files_lost: bool,
) -> ReportFormPage {
    // The catalog only helps the reporter; a failure to read it must not stop a report.
    let catalog = catalog::products(&state.app.db)
        .await
        .unwrap_or_else(|error| {
            tracing::warn!(%error, "catalog unavailable for the report form");
            Vec::new()
        });
    let mut models: Vec<String> = catalog.iter().flat_map(|p| p.models.clone()).collect();
    let mut versions: Vec<String> = catalog.iter().flat_map(|p| p.versions.clone()).collect();
    models.sort();
    models.dedup();
    versions.sort();
    versions.dedup();
    let limits = &state.app.config.limits;
    ReportFormPage {
        org_name: state.app.config.organization.name.clone(),
        v,
        errors,
        files_lost,
        products: catalog.into_iter().map(|p| p.name).collect(),
        models,
        versions,
        max_files: limits.max_attachments,
        max_file_mib: limits.max_attachment_bytes.div_ceil(1024 * 1024),
    }
}

/// The report form (no account, no JavaScript).
#[utoipa::path(get, path = "/report", tag = "pages", responses((status = 200, content_type = "text/html", body = String)))]
pub async fn report_form(State(state): State<AppState>) -> Response {
    form_page(&state, FormValues::default(), Vec::new(), false)
        .await
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "received.html")]
struct ReceivedPage {
    org_name: String,
    receipt: Receipt,
    tracking_path: String,
}

/// Receives the report form; on a problem the form comes back with every typed value kept.
#[utoipa::path(post, path = "/report", tag = "pages", request_body(content_type = "multipart/form-data", content = String),
    responses((status = 201, content_type = "text/html", body = String), (status = 422, content_type = "text/html", body = String)))]
pub async fn submit_report_form(State(state): State<AppState>, request: Request) -> Response {
    let (mut submission, hash) = match upload::read(&state, request, REPORT_FIELDS).await {
        Ok((Payload::Multipart(s), hash)) => (s, hash),
        Ok((Payload::Json(_), _)) => {
            return error_page(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This form expects a browser submission.",
            );
        }
        Err(failure) => {
            let mut partial = failure.partial;
            let values = FormValues::from(report_form_from(&mut partial));
            let errors = vec![("attachments".to_owned(), failure.error.detail.clone())];
            let page = form_page(&state, values, errors, true).await;
            return (failure.error.status, page).into_response();
        }
    };
    let files_given = !submission.files.is_empty();
    let files = std::mem::take(&mut submission.files);
    let form = report_form_from(&mut submission);
    match intake::submit(&state.app, form.clone(), Channel::Web, files, hash).await {
        Ok(receipt) => {
            let tracking_path = format!("/track/{}", receipt.tracking_token);
            let page = ReceivedPage {
                org_name: state.app.config.organization.name.clone(),
                receipt,
                tracking_path,
            };
            (StatusCode::CREATED, page).into_response()
        }
        Err(AppError::Invalid(fields)) => {
            let values = FormValues::from(form);
            let errors = fields.0.into_iter().map(|e| (e.field, e.message)).collect();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&state, values, errors, files_given).await,
            )
                .into_response()
        }
        Err(other) => app_error_page(other),
    }
}

impl From<ReportForm> for FormValues {
    fn from(form: ReportForm) -> Self {
        FormValues {
            anonymous: form.anonymous,
            reporter_name: form.reporter_name.unwrap_or_default(),
            reporter_organization: form.reporter_organization.unwrap_or_default(),
            reporter_job_title: form.reporter_job_title.unwrap_or_default(),
            reporter_email: form.reporter_email.unwrap_or_default(),
            product: form.product.unwrap_or_default(),
            model: form.model.unwrap_or_default(),
            version: form.version.unwrap_or_default(),
            title: form.title.unwrap_or_default(),
            description: form.description.unwrap_or_default(),
            technical_details: form.technical_details.unwrap_or_default(),
            reproduction_steps: form.reproduction_steps.unwrap_or_default(),
            disclosure_plans: form.disclosure_plans.unwrap_or_default(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "track.html")]
struct TrackPage {
    org_name: String,
    view: TrackingView,
    post_path: String,
    draft: String,
    error: Option<String>,
    files_lost: bool,
}

async fn track_page(
    state: &AppState,
    token: &str,
    draft: String,
    error: Option<String>,
    files_lost: bool,
) -> Response {
    match tracking::view(&state.app, token).await {
        Ok(view) => TrackPage {
            org_name: state.app.config.organization.name.clone(),
            view,
            post_path: format!("/track/{token}/messages"),
            draft,
            error,
            files_lost,
        }
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

/// The reporter's private tracking page.
#[utoipa::path(get, path = "/track/{token}", tag = "pages", params(("token" = String, Path)),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn tracking_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    track_page(&state, &token, String::new(), None, false).await
}

/// A reporter's message from the tracking page; back to the page on success, the draft kept on error.
#[utoipa::path(post, path = "/track/{token}/messages", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "multipart/form-data", content = String),
    responses((status = 303, description = "Back to the tracking page"), (status = 422, content_type = "text/html", body = String)))]
pub async fn post_tracking_message(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Response {
    let mut submission = match upload::read(&state, request, &["body"]).await {
        Ok((Payload::Multipart(s), _)) => s,
        Ok((Payload::Json(_), _)) => {
            return error_page(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This form expects a browser submission.",
            );
        }
        Err(mut failure) => {
            let draft = failure.partial.take("body").unwrap_or_default();
            let mut response = track_page(
                &state,
                &token,
                draft,
                Some(failure.error.detail.clone()),
                true,
            )
            .await;
            *response.status_mut() = failure.error.status;
            return response;
        }
    };
    let files_given = !submission.files.is_empty();
    let files = std::mem::take(&mut submission.files);
    let body = submission.take("body");
    match tracking::add_message(
        &state.app,
        &token,
        MessageForm { body: body.clone() },
        files,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/track/{token}")).into_response(),
        Err(AppError::Invalid(fields)) => {
            let msg = fields
                .0
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default();
            let mut response = track_page(
                &state,
                &token,
                body.unwrap_or_default(),
                Some(msg),
                files_given,
            )
            .await;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            response
        }
        Err(other) => app_error_page(other),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "setup.html")]
struct SetupPage {
    org_name: String,
    post_path: String,
    email: String,
    display_name: String,
    errors: Vec<String>,
    api_token: Option<String>,
}

/// The one-time setup page for the first administrator.
#[utoipa::path(get, path = "/setup/{token}", tag = "pages", params(("token" = String, Path)),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn setup_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match admin::setup_link_valid(&state.app, &token).await {
        Ok(true) => SetupPage {
            org_name: state.app.config.organization.name.clone(),
            post_path: format!("/setup/{token}"),
            email: String::new(),
            display_name: String::new(),
            errors: Vec::new(),
            api_token: None,
        }
        .into_response(),
        Ok(false) => error_page(
            StatusCode::NOT_FOUND,
            "This setup link is unknown, already used or expired.",
        ),
        Err(e) => app_error_page(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

/// Creates the first administrator from the one-time setup link.
#[utoipa::path(post, path = "/setup/{token}", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", content = String),
    responses((status = 201, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn setup_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<SetupForm>,
) -> Response {
    let page = |errors, api_token| SetupPage {
        org_name: state.app.config.organization.name.clone(),
        post_path: format!("/setup/{token}"),
        email: form.email.clone(),
        display_name: form.display_name.clone(),
        errors,
        api_token,
    };
    let done = admin::complete_setup(
        &state.app,
        &token,
        &form.email,
        &form.display_name,
        &form.password,
        &form.password_confirm,
    )
    .await;
    match done {
        Ok(done) => {
            let mut response =
                (StatusCode::CREATED, page(Vec::new(), Some(done.api_token))).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                super::session::set_cookie(&state.app, Some(&done.session_token)),
            );
            response
        }
        Err(AppError::Invalid(fields)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            page(fields.0.into_iter().map(|e| e.message).collect(), None),
        )
            .into_response(),
        Err(AppError::NotFound) => error_page(
            StatusCode::NOT_FOUND,
            "This setup link is unknown, already used or expired.",
        ),
        Err(e) => app_error_page(e),
    }
}

/// The stylesheet, served from the binary (no external assets).
#[utoipa::path(get, path = "/static/psirt.css", tag = "pages", responses((status = 200, content_type = "text/css", body = String)))]
pub async fn stylesheet() -> Response {
    static_asset(
        "text/css; charset=utf-8",
        include_str!("../../static/psirt.css"),
    )
}

/// A file of `static/`, compiled into the binary, cached by browsers for an hour.
pub fn static_asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    org_name: String,
    title: String,
    detail: String,
}

/// An HTML error page (for browsers); the API uses problem+json instead.
pub fn error_page(status: StatusCode, detail: &str) -> Response {
    let page = ErrorPage {
        org_name: "psirt".into(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        detail: detail.to_owned(),
    };
    (status, page).into_response()
}

pub fn app_error_page(error: AppError) -> Response {
    let api = ApiError::from(error);
    error_page(api.status, &api.detail)
}

/// Unknown paths: problem+json under `/api/`, a page elsewhere.
pub async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        ApiError::from(AppError::NotFound).into_response()
    } else {
        error_page(StatusCode::NOT_FOUND, "There is no page here.")
    }
}
