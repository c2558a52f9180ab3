//! The one web error type: RFC 9457 problem+json with a stable machine `code` for the API, and
//! an HTML page for browsers. Internal details are logged, never shown.
//!
//! Stable codes (documented in docs/ERRORS.md): `validation_failed` 422, `malformed_json` 400,
//! `unknown_field` 400, `malformed_multipart` 400, `unsupported_media_type` 415,
//! `payload_too_large` 413, `too_many_attachments` 413, `unauthenticated` 401, `forbidden` 403,
//! `not_found` 404, `conflict` 409, `already_exists` 409, `in_use` 409, `transition_not_allowed` 409, `stale_version` 409,
//! `rate_limited` 429, `unavailable` 503, `internal` 500.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use psirt_domain::report::FieldError;
use serde::Serialize;

use crate::app::AppError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable error code.
    pub code: &'static str,
    /// Present for `validation_failed`: one entry per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub errors: Vec<FieldError>,
}

/// An error on its way to an API client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:psirt:problem:{}", self.code),
            title: self.status.canonical_reason().unwrap_or("Error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code,
            errors: self.errors.clone(),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        match error {
            AppError::Invalid(fields) => Self {
                detail: fields.to_string(),
                errors: fields.0,
                ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", "")
            },
            AppError::NotFound => Self::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "Nothing here, or nothing you may see.",
            ),
            AppError::Unauthenticated => Self::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "A valid API token is required (Authorization: Bearer …).",
            ),
            AppError::Forbidden(why) => Self::new(StatusCode::FORBIDDEN, "forbidden", why),
            AppError::Conflict(why) => Self::new(StatusCode::CONFLICT, "conflict", why),
            AppError::Exists(fields) => Self {
                detail: fields.to_string(),
                errors: fields.0,
                ..Self::new(StatusCode::CONFLICT, "already_exists", "")
            },
            AppError::InUse(why) => Self::new(StatusCode::CONFLICT, "in_use", why),
            AppError::Guard(psirt_domain::case::Guard::NotPermitted { role, action }) => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("The role {role} may not {action}."),
            ),
            AppError::Guard(guard) => Self::new(
                StatusCode::CONFLICT,
                "transition_not_allowed",
                guard.to_string(),
            ),
            AppError::Stale => Self::new(
                StatusCode::CONFLICT,
                "stale_version",
                "The case was changed since you read it: read it again and retry with its current version.",
            ),
            AppError::TooLarge { what, limit } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("{what} is larger than the limit of {limit} bytes."),
            ),
            AppError::Unavailable(why) => {
                tracing::error!(%why, "service unavailable");
                Self::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The service cannot answer now; try again shortly.",
                )
            }
            AppError::Storage(error) => {
                tracing::error!(%error, "storage failure");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "Something went wrong on our side; nothing was recorded.",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.problem())).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
