//! Advisories: the staff API (draft, edit, approve, publish) and the public pages and files
//! served from what was published (byte for byte).

use axum::{
    Json,
    extract::{Path, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    AppState,
    api::parse_json,
    auth::StaffAuth,
    error::{ApiError, Problem},
    pages,
};
use crate::{
    app::{
        advisories::{self, AdvisoryInput, AdvisoryView, GateOverride, directory, publish},
        keys,
    },
    storage::advisories as stored,
};

/// Draft a Security Advisory (covering cases) or a Security Notice.
#[utoipa::path(post, path = "/api/v1/advisories", tag = "advisories", security(("bearer" = [])), request_body = AdvisoryInput,
    responses((status = 201, body = AdvisoryView), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<AdvisoryView>), ApiError> {
    let input: AdvisoryInput = parse_json(&bytes)?;
    Ok((
        StatusCode::CREATED,
        Json(advisories::create(&state.app, &staff, input).await?),
    ))
}

/// Advisories you may see (every case they cover must be visible to you).
#[utoipa::path(get, path = "/api/v1/advisories", tag = "advisories", security(("bearer" = [])), responses((status = 200, body = Vec<AdvisoryView>)))]
pub async fn list(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
) -> Result<Json<Vec<AdvisoryView>>, ApiError> {
    Ok(Json(advisories::list(&state.app, &staff).await?))
}

#[utoipa::path(get, path = "/api/v1/advisories/{id}", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path, description = "id or tracking id")), responses((status = 200, body = AdvisoryView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
) -> Result<Json<AdvisoryView>, ApiError> {
    Ok(Json(advisories::get(&state.app, &staff, &id).await?))
}

/// Edit (withdraws an approval).
#[utoipa::path(patch, path = "/api/v1/advisories/{id}", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AdvisoryInput, responses((status = 200, body = AdvisoryView)))]
pub async fn update(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Json<AdvisoryView>, ApiError> {
    let input: AdvisoryInput = parse_json(&bytes)?;
    Ok(Json(
        advisories::update(&state.app, &staff, &id, input).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionOnly {
    pub version: i64,
}

/// Approve (a second PSO, never the author).
#[utoipa::path(post, path = "/api/v1/advisories/{id}/approve", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = VersionOnly, responses((status = 200, body = AdvisoryView), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn approve(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Json<AdvisoryView>, ApiError> {
    let v: VersionOnly = parse_json(&bytes)?;
    Ok(Json(
        advisories::approve(&state.app, &staff, &id, v.version).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    pub version: i64,
    /// Gates to override, each with the PSO's reason.
    #[serde(default)]
    pub overrides: Vec<GateOverride>,
    /// What changed (for revisions).
    pub revision_summary: Option<String>,
}

/// Publish an approved advisory (or the next revision): gates, every format, atomically.
#[utoipa::path(post, path = "/api/v1/advisories/{id}/publish", tag = "advisories", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PublishRequest,
    responses((status = 200, body = AdvisoryView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A publication gate blocks it", body = Problem, content_type = "application/problem+json")))]
pub async fn publish_advisory(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(id): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Json<AdvisoryView>, ApiError> {
    let r: PublishRequest = parse_json(&bytes)?;
    Ok(Json(
        publish::publish(
            &state.app,
            &staff,
            &id,
            r.version,
            &r.overrides,
            r.revision_summary.as_deref(),
        )
        .await?,
    ))
}

/// A published advisory page (public for TLP:WHITE).
#[utoipa::path(get, path = "/advisories/{id}", tag = "publication", params(("id" = String, Path)),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn advisory_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    serve_public(&state, &publish::html_path(&id)).await
}

/// Serves a published file if it is public (TLP:WHITE); everything else looks absent.
pub async fn serve_public(state: &AppState, path: &str) -> Response {
    match stored::file(&state.app.db, path).await {
        Ok(Some(f)) if f.tlp == "WHITE" => {
            let mut response = f.body.into_response();
            if let Ok(ct) = HeaderValue::from_str(&f.content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            if let Ok(etag) = HeaderValue::from_str(&format!("\"{}\"", f.sha256)) {
                response.headers_mut().insert(header::ETAG, etag);
            }
            response
        }
        Ok(_) => pages::error_page(
            StatusCode::NOT_FOUND,
            "There is no published document here.",
        ),
        Err(e) => ApiError::from(crate::app::AppError::from(e)).into_response(),
    }
}

fn text(body: String, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// CSAF provider metadata (§7.1.20).
#[utoipa::path(get, path = "/.well-known/csaf/provider-metadata.json", tag = "publication",
    responses((status = 200, content_type = "application/json", body = Object)))]
pub async fn provider_metadata(
    State(state): State<AppState>,
) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(directory::provider_metadata(&state.app).await?))
}

/// The public CSAF folder: documents, their hashes, `index.txt`, `changes.csv`, the ROLIE feed.
#[utoipa::path(get, path = "/.well-known/csaf/white/{*path}", tag = "publication", params(("path" = String, Path)),
    responses((status = 200, body = String), (status = 404, body = String)))]
pub async fn csaf_white(State(state): State<AppState>, Path(path): Path<String>) -> Response {
    let result = match path.as_str() {
        "index.txt" => directory::index_txt(&state.app)
            .await
            .map(|b| text(b, "text/plain; charset=utf-8")),
        "changes.csv" => directory::changes_csv(&state.app)
            .await
            .map(|b| text(b, "text/csv; charset=utf-8")),
        "feed-tlp-white.json" => directory::rolie_feed(&state.app)
            .await
            .map(|v| Json(v).into_response()),
        _ => return serve_public(&state, &format!("/.well-known/csaf/white/{path}")).await,
    };
    result.unwrap_or_else(|e| ApiError::from(e).into_response())
}

/// TLP:GREEN, AMBER and RED documents: staff tokens only.
#[utoipa::path(get, path = "/api/v1/csaf/{*path}", tag = "publication", security(("bearer" = [])), params(("path" = String, Path)),
    responses((status = 200, body = String), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn csaf_restricted(
    State(state): State<AppState>,
    StaffAuth(_staff): StaffAuth,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let file = stored::file(&state.app.db, &format!("/api/v1/csaf/{path}"))
        .await
        .map_err(crate::app::AppError::from)?;
    let Some(file) = file else {
        return Err(crate::app::AppError::NotFound.into());
    };
    let mut response = file.body.into_response();
    if let Ok(ct) = HeaderValue::from_str(&file.content_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    Ok(response)
}

/// An advisory's other formats: CVE records, OSV records, OpenVEX.
#[utoipa::path(get, path = "/advisories/{id}/{*path}", tag = "publication", params(("id" = String, Path), ("path" = String, Path)),
    responses((status = 200, content_type = "application/json", body = Object), (status = 404, body = String)))]
pub async fn advisory_file(
    State(state): State<AppState>,
    Path((id, path)): Path<(String, String)>,
) -> Response {
    serve_public(&state, &format!("/advisories/{id}/{path}")).await
}

/// RFC 9116 security.txt.
#[utoipa::path(get, path = "/.well-known/security.txt", tag = "publication", responses((status = 200, content_type = "text/plain", body = String)))]
pub async fn security_txt(State(state): State<AppState>) -> Response {
    match directory::security_txt(&state.app, state.app.clock.now()).await {
        Ok(body) => text(body, "text/plain; charset=utf-8"),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The organisation's public OpenPGP keys (`<FINGERPRINT>.asc`, CSAF §7.1.20), active or retired.
#[utoipa::path(get, path = "/.well-known/csaf/openpgp/{file}", tag = "publication", params(("file" = String, Path, description = "`<FINGERPRINT>.asc`")),
    responses((status = 200, content_type = "application/pgp-keys", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn openpgp_key(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let key = match file.strip_suffix(".asc") {
        Some(fp) if fp.len() >= 40 && fp.bytes().all(|b| b.is_ascii_hexdigit()) => {
            keys::public_key(&state.app, fp).await
        }
        _ => Ok(None),
    };
    match key {
        Ok(Some(armored)) => {
            let mut response = text(armored, "application/pgp-keys");
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            );
            response
        }
        Ok(None) => pages::error_page(StatusCode::NOT_FOUND, "There is no such key here."),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(askama::Template, askama_web::WebTemplate)]
#[template(path = "advisories.html")]
struct IndexPage {
    org_name: String,
    entries: Vec<directory::PublicEntry>,
}

/// The public list of published advisories and notices.
#[utoipa::path(get, path = "/advisories", tag = "publication", responses((status = 200, content_type = "text/html", body = String)))]
pub async fn index_page(State(state): State<AppState>) -> Response {
    match directory::public_entries(&state.app).await {
        Ok(entries) => IndexPage {
            org_name: state.app.config.organization.name.clone(),
            entries,
        }
        .into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[derive(askama::Template)]
#[template(path = "advisories.atom", escape = "html")]
struct AtomFeed {
    base: String,
    org_name: String,
    updated: String,
    entries: Vec<directory::PublicEntry>,
}

/// Atom feed of the public advisories and notices (every value XML-escaped by the template).
#[utoipa::path(get, path = "/advisories/feed.atom", tag = "publication", responses((status = 200, content_type = "application/atom+xml", body = String)))]
pub async fn atom_feed(State(state): State<AppState>) -> Response {
    let entries = match directory::public_entries(&state.app).await {
        Ok(entries) => entries,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let updated = entries
        .first()
        .map(|e| e.updated.clone())
        .unwrap_or_else(|| state.app.clock.now().to_string());
    let feed = AtomFeed {
        base: state.app.config.public_url(),
        org_name: state.app.config.organization.name.clone(),
        updated,
        entries,
    };
    match askama::Template::render(&feed) {
        Ok(xml) => text(xml, "application/atom+xml; charset=utf-8"),
        Err(e) => {
            ApiError::from(crate::app::AppError::Unavailable(format!("feed: {e}"))).into_response()
        }
    }
}
