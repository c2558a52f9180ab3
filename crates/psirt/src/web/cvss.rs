//! `GET /api/v1/cvss`: a vector's exact scores (the domain's code, never a copy in JavaScript),
//! and `/static/cvss.js`, the script that makes the case page's calculator form live with it.

use axum::{
    Json,
    extract::{Query, rejection::QueryRejection},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

use super::{
    error::{ApiError, Problem},
    pages,
};
use crate::app::cvss::{self, CvssScores};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CvssParams {
    /// A CVSS vector: `CVSS:3.1/…`, `CVSS:4.0/…`, `CVSS:3.0/…` or a bare v2.0 vector.
    pub vector: String,
}

/// Score a CVSS vector (public: it reads no case). Scores and severities appear only where the
/// vector defines them.
#[utoipa::path(get, path = "/api/v1/cvss", tag = "cvss", params(CvssParams),
    responses((status = 200, body = CvssScores),
        (status = 400, description = "No `vector` parameter", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid vector (`invalid_cvss` names the metric or token)", body = Problem, content_type = "application/problem+json")))]
pub async fn score(
    params: Result<Query<CvssParams>, QueryRejection>,
) -> Result<Json<CvssScores>, ApiError> {
    let Query(params) = params
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))?;
    Ok(Json(cvss::score(&params.vector)?))
}

/// The live calculator, served from the binary (the CSP allows scripts from this origin only).
#[utoipa::path(get, path = "/static/cvss.js", tag = "pages", responses((status = 200, content_type = "text/javascript", body = String)))]
pub async fn script() -> Response {
    pages::static_asset(
        "text/javascript; charset=utf-8",
        include_str!("../../static/cvss.js"),
    )
}
