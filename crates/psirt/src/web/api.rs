//! The JSON API: report intake, the reporter's tracking endpoints and staff reads.

use axum::{
    Json,
    extract::{Path, Query, Request, State, rejection::QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use psirt_domain::report::{Channel, MessageForm, ReportForm};
use serde::{Deserialize, de::DeserializeOwned};

use super::{
    AppState,
    auth::StaffAuth,
    error::{ApiError, Problem},
    security::DOWNLOAD_CSP,
    upload::{self, Payload, Submission},
};
use crate::app::{
    intake::{self, Receipt},
    staff::{self, ReportList, ReportView},
    tracking::{self, TrackedMessage, TrackingView},
};

/// A report as sent to the API (JSON). Unknown fields are rejected.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// Summary, one line (required).
    pub title: Option<String>,
    /// What is wrong and why it matters (required).
    pub description: Option<String>,
    pub product: Option<String>,
    pub model: Option<String>,
    /// Software or firmware version.
    pub version: Option<String>,
    /// Configuration, how it was found, proof of concept.
    pub technical_details: Option<String>,
    pub reproduction_steps: Option<String>,
    pub disclosure_plans: Option<String>,
    /// Report without identity; then `reporter` must be absent or empty.
    #[serde(default)]
    pub anonymous: bool,
    pub reporter: Option<ReporterRequest>,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReporterRequest {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    /// Required unless anonymous.
    pub email: Option<String>,
}

impl From<ReportRequest> for ReportForm {
    fn from(r: ReportRequest) -> Self {
        let reporter = r.reporter.unwrap_or_default();
        ReportForm {
            title: r.title,
            description: r.description,
            product: r.product,
            model: r.model,
            version: r.version,
            technical_details: r.technical_details,
            reproduction_steps: r.reproduction_steps,
            disclosure_plans: r.disclosure_plans,
            anonymous: r.anonymous,
            reporter_name: reporter.name,
            reporter_organization: reporter.organization,
            reporter_job_title: reporter.job_title,
            reporter_email: reporter.email,
        }
    }
}

/// The multipart/form fields of a report (the HTML form posts the same names).
pub const REPORT_FIELDS: &[&str] = &[
    "title",
    "description",
    "product",
    "model",
    "version",
    "technical_details",
    "reproduction_steps",
    "disclosure_plans",
    "anonymous",
    "reporter.name",
    "reporter.organization",
    "reporter.job_title",
    "reporter.email",
];

/// Builds the form from multipart fields.
pub fn report_form_from(s: &mut Submission) -> ReportForm {
    ReportForm {
        title: s.take("title"),
        description: s.take("description"),
        product: s.take("product"),
        model: s.take("model"),
        version: s.take("version"),
        technical_details: s.take("technical_details"),
        reproduction_steps: s.take("reproduction_steps"),
        disclosure_plans: s.take("disclosure_plans"),
        anonymous: s
            .take("anonymous")
            .is_some_and(|v| matches!(v.trim(), "on" | "true" | "1" | "yes")),
        reporter_name: s.take("reporter.name"),
        reporter_organization: s.take("reporter.organization"),
        reporter_job_title: s.take("reporter.job_title"),
        reporter_email: s.take("reporter.email"),
    }
}

/// Parses JSON naming the field at fault.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = inner.to_string();
        if message.starts_with("unknown field") {
            let name = message.split('`').nth(1).unwrap_or_default();
            let full = if path == "." || path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            upload::unknown_field(full.trim_start_matches('.'))
        } else if inner.is_data() {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("Field {path}: {message}"),
            )
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                format!("The body is not valid JSON: {message}"),
            )
        }
    })
}

/// Submit a vulnerability report (no account needed). JSON or multipart with `attachments` files.
#[utoipa::path(post, path = "/api/v1/reports", tag = "intake",
    request_body(content(
        (ReportRequest = "application/json"),
        (ReportRequest = "multipart/form-data"),
    )),
    responses(
        (status = 201, description = "Committed durably", body = Receipt),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Too large or too many files", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor multipart", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (Retry-After)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn submit_report(
    State(state): State<AppState>,
    request: Request,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let (payload, hash) = upload::read(&state, request, REPORT_FIELDS).await?;
    let (form, files) = match payload {
        Payload::Json(bytes) => (parse_json::<ReportRequest>(&bytes)?.into(), Vec::new()),
        Payload::Multipart(mut s) => (report_form_from(&mut s), std::mem::take(&mut s.files)),
    };
    let receipt = intake::submit(&state.app, form, Channel::Api, files, hash).await?;
    Ok((StatusCode::CREATED, Json(receipt)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    /// Entries to skip (default 0).
    pub offset: Option<i64>,
}

/// List the reports you may see, newest first.
#[utoipa::path(get, path = "/api/v1/reports", tag = "staff", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = ReportList), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_reports(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<ReportList>, ApiError> {
    let Query(params) = params
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    Ok(Json(
        staff::list(
            &state.app,
            &staff,
            params.limit.unwrap_or(50),
            params.offset.unwrap_or(0),
        )
        .await?,
    ))
}

/// Read one report (404 when it does not exist or you have no grant for it).
#[utoipa::path(get, path = "/api/v1/reports/{reference}", tag = "staff", security(("bearer" = [])),
    params(("reference" = String, Path, description = "e.g. PSIRT-2026-0001")),
    responses((status = 200, body = ReportView), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_report(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(reference): Path<String>,
) -> Result<Json<ReportView>, ApiError> {
    Ok(Json(staff::get(&state.app, &staff, &reference).await?))
}

/// Download an attachment, always as a file (never rendered).
#[utoipa::path(get, path = "/api/v1/reports/{reference}/attachments/{id}", tag = "staff", security(("bearer" = [])),
    params(("reference" = String, Path), ("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn download_attachment(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((reference, id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let (file, bytes) = staff::attachment(&state.app, &staff, &reference, &id).await?;
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOWNLOAD_CSP),
    );
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&file.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `attachment` with an ASCII fallback name and the exact name RFC 8187-encoded.
pub(crate) fn content_disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b".-_~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The reporter's view of their report: status and reporter-visible conversation.
#[utoipa::path(get, path = "/api/v1/track/{token}", tag = "intake",
    params(("token" = String, Path, description = "The tracking token of the receipt")),
    responses((status = 200, body = TrackingView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_tracking(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<TrackingView>, ApiError> {
    Ok(Json(tracking::view(&state.app, &token).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    pub body: Option<String>,
}

/// Add a message (and files, with multipart) to your report's conversation.
#[utoipa::path(post, path = "/api/v1/track/{token}/messages", tag = "intake",
    params(("token" = String, Path)),
    request_body(content((MessageRequest = "application/json"), (MessageRequest = "multipart/form-data"))),
    responses((status = 201, body = TrackedMessage), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn post_tracking_message(
    State(state): State<AppState>,
    Path(token): Path<String>,
    request: Request,
) -> Result<(StatusCode, Json<TrackedMessage>), ApiError> {
    let (payload, _) = upload::read(&state, request, &["body"]).await?;
    let (form, files) = match payload {
        Payload::Json(bytes) => (
            MessageForm {
                body: parse_json::<MessageRequest>(&bytes)?.body,
            },
            Vec::new(),
        ),
        Payload::Multipart(mut s) => (
            MessageForm {
                body: s.take("body"),
            },
            std::mem::take(&mut s.files),
        ),
    };
    Ok((
        StatusCode::CREATED,
        Json(tracking::add_message(&state.app, &token, form, files).await?),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_errors_name_the_field() {
        let e =
            parse_json::<ReportRequest>(br#"{"title":"t","reporter":{"emial":"x"}}"#).unwrap_err();
        assert_eq!(e.code, "unknown_field");
        assert!(e.detail.contains("reporter.emial"), "{}", e.detail);
        let e = parse_json::<ReportRequest>(br#"{"title":5}"#).unwrap_err();
        assert_eq!(e.code, "malformed_json");
        assert!(e.detail.contains("title"), "{}", e.detail);
        assert_eq!(
            parse_json::<ReportRequest>(b"{").unwrap_err().code,
            "malformed_json"
        );
    }

    #[test]
    fn disposition_is_quoted_safely() {
        let d = content_disposition("x\"; filename=evil.html");
        assert!(
            d.starts_with("attachment; filename=\"x___filename_evil.html\""),
            "{d}"
        );
        assert!(!d.contains(" filename=evil"));
    }
}
