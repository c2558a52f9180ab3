//! The catalog API: products, models and versions (`/api/v1/products…`), and the whole catalog
//! as JSON or CSV (`/api/v1/catalog/export`, `/api/v1/catalog/import`). Any staff token reads;
//! admins and PMs write.

use axum::{
    Json,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;

use super::{
    AppState,
    api::{ListParams, parse_json},
    auth::StaffAuth,
    error::{ApiError, Problem},
};
use crate::app::catalog::{
    self, CatalogList, ModelInput, ModelView, ProductDetail, ProductInput, ProductVersionInput,
    ProductVersionView, ProductView,
    transfer::{self, Format, ImportSummary},
};

fn query<T>(q: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_query", e.body_text()))
}

/// Products by name (`limit` 1–500, default 50).
#[utoipa::path(get, path = "/api/v1/products", tag = "catalog", params(ListParams), security(("bearer" = [])),
    responses((status = 200, body = CatalogList<ProductView>), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn list_products(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<CatalogList<ProductView>>, ApiError> {
    let p = query(params)?;
    Ok(Json(
        catalog::list_products(
            &state.app,
            &staff,
            p.limit.unwrap_or(50),
            p.offset.unwrap_or(0),
        )
        .await?,
    ))
}

/// Create a product (admin, PM).
#[utoipa::path(post, path = "/api/v1/products", tag = "catalog", request_body = ProductInput, security(("bearer" = [])),
    responses((status = 201, body = ProductDetail), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Name or slug taken (`already_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, each named", body = Problem, content_type = "application/problem+json")))]
pub async fn create_product(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<ProductDetail>), ApiError> {
    let input: ProductInput = parse_json(&bytes)?;
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_product(&state.app, &staff, input).await?),
    ))
}

/// A product with its models and versions (oldest first under its version scheme).
#[utoipa::path(get, path = "/api/v1/products/{product}", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id")),
    responses((status = 200, body = ProductDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_product(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(product): Path<String>,
) -> Result<Json<ProductDetail>, ApiError> {
    Ok(Json(
        catalog::get_product(&state.app, &staff, &product).await?,
    ))
}

/// Change a product: the fields present (a new scheme must read every version; a declared
/// order lists every version once). A new name carries over to the cases that name it.
#[utoipa::path(patch, path = "/api/v1/products/{product}", tag = "catalog", request_body = ProductInput, security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id")),
    responses((status = 200, body = ProductDetail), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_product(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(product): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<Json<ProductDetail>, ApiError> {
    let input: ProductInput = parse_json(&bytes)?;
    Ok(Json(
        catalog::update_product(&state.app, &staff, &product, input).await?,
    ))
}

/// Delete a product with its models and versions (409 `in_use` while reports, cases, grants or
/// published advisories name it).
#[utoipa::path(delete, path = "/api/v1/products/{product}", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id")),
    responses((status = 204), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_product(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(product): Path<String>,
) -> Result<StatusCode, ApiError> {
    catalog::delete_product(&state.app, &staff, &product).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/products/{product}/models", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id")),
    responses((status = 200, body = CatalogList<ModelView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_models(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(product): Path<String>,
) -> Result<Json<CatalogList<ModelView>>, ApiError> {
    Ok(Json(
        catalog::list_models(&state.app, &staff, &product).await?,
    ))
}

/// Add a hardware model (revision).
#[utoipa::path(post, path = "/api/v1/products/{product}/models", tag = "catalog", request_body = ModelInput, security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id")),
    responses((status = 201, body = ModelView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_model(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(product): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<ModelView>), ApiError> {
    let input: ModelInput = parse_json(&bytes)?;
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_model(&state.app, &staff, &product, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/products/{product}/models/{model}", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id"), ("model" = String, Path, description = "id")),
    responses((status = 200, body = ModelView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_model(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((product, model)): Path<(String, String)>,
) -> Result<Json<ModelView>, ApiError> {
    Ok(Json(
        catalog::get_model(&state.app, &staff, &product, &model).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/products/{product}/models/{model}", tag = "catalog", request_body = ModelInput, security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id"), ("model" = String, Path, description = "id")),
    responses((status = 200, body = ModelView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_model(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((product, model)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Json<ModelView>, ApiError> {
    let input: ModelInput = parse_json(&bytes)?;
    Ok(Json(
        catalog::update_model(&state.app, &staff, &product, &model, input).await?,
    ))
}

/// Delete a model without versions (409 `in_use` otherwise).
#[utoipa::path(delete, path = "/api/v1/products/{product}/models/{model}", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id"), ("model" = String, Path, description = "id")),
    responses((status = 204), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_model(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((product, model)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    catalog::delete_model(&state.app, &staff, &product, &model).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A product's versions, oldest first under its version scheme.
#[utoipa::path(get, path = "/api/v1/products/{product}/versions", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id")),
    responses((status = 200, body = CatalogList<ProductVersionView>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_versions(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(product): Path<String>,
) -> Result<Json<CatalogList<ProductVersionView>>, ApiError> {
    Ok(Json(
        catalog::list_versions(&state.app, &staff, &product).await?,
    ))
}

/// Add a version (release); under a declared scheme it goes last in the order.
#[utoipa::path(post, path = "/api/v1/products/{product}/versions", tag = "catalog", request_body = ProductVersionInput, security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id")),
    responses((status = 201, body = ProductVersionView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_version(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path(product): Path<String>,
    bytes: axum::body::Bytes,
) -> Result<(StatusCode, Json<ProductVersionView>), ApiError> {
    let input: ProductVersionInput = parse_json(&bytes)?;
    Ok((
        StatusCode::CREATED,
        Json(catalog::create_version(&state.app, &staff, &product, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/products/{product}/versions/{version}", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id"), ("version" = String, Path, description = "id")),
    responses((status = 200, body = ProductVersionView), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_version(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((product, version)): Path<(String, String)>,
) -> Result<Json<ProductVersionView>, ApiError> {
    Ok(Json(
        catalog::get_version(&state.app, &staff, &product, &version).await?,
    ))
}

/// Change a version (renaming one that cases or advisories name: 409 `in_use`).
#[utoipa::path(patch, path = "/api/v1/products/{product}/versions/{version}", tag = "catalog", request_body = ProductVersionInput, security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id"), ("version" = String, Path, description = "id")),
    responses((status = 200, body = ProductVersionView), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update_version(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((product, version)): Path<(String, String)>,
    bytes: axum::body::Bytes,
) -> Result<Json<ProductVersionView>, ApiError> {
    let input: ProductVersionInput = parse_json(&bytes)?;
    Ok(Json(
        catalog::update_version(&state.app, &staff, &product, &version, input).await?,
    ))
}

/// Delete a version no case or published advisory names (409 `in_use` otherwise).
#[utoipa::path(delete, path = "/api/v1/products/{product}/versions/{version}", tag = "catalog", security(("bearer" = [])),
    params(("product" = String, Path, description = "slug or id"), ("version" = String, Path, description = "id")),
    responses((status = 204), (status = 409, body = Problem, content_type = "application/problem+json")))]
pub async fn delete_version(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    Path((product, version)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    catalog::delete_version(&state.app, &staff, &product, &version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormatParams {
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

fn format(p: FormatParams) -> Result<Format, ApiError> {
    match p.format.as_deref().unwrap_or("json") {
        "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        other => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            format!("format {other:?}: use json or csv"),
        )),
    }
}

/// The whole catalog as JSON or CSV (what `import` reads back).
#[utoipa::path(get, path = "/api/v1/catalog/export", tag = "catalog", params(FormatParams), security(("bearer" = [])),
    responses((status = 200, content_type = "application/json", body = Object), (status = 200, content_type = "text/csv", body = String)))]
pub async fn export(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    params: Result<Query<FormatParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let format = format(query(params)?)?;
    let body = transfer::export(&state.app, &staff, format).await?;
    let mut response = body.into_response();
    let (ct, name) = match format {
        Format::Json => ("application/json", "catalog.json"),
        Format::Csv => ("text/csv; charset=utf-8", "catalog.csv"),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Import a catalog (JSON, or CSV with `Content-Type: text/csv`): products, models and versions
/// are created or updated by name, never deleted. Every bad row is reported (422, fields
/// named by line or path) and then nothing is imported: one transaction.
#[utoipa::path(post, path = "/api/v1/catalog/import", tag = "catalog", security(("bearer" = [])),
    request_body(content((Object = "application/json"), (String = "text/csv"))),
    responses((status = 200, body = ImportSummary), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every bad row, named", body = Problem, content_type = "application/problem+json")))]
pub async fn import(
    State(state): State<AppState>,
    StaffAuth(staff): StaffAuth,
    headers: HeaderMap,
    bytes: axum::body::Bytes,
) -> Result<Json<ImportSummary>, ApiError> {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let format = if ct.starts_with("application/json") {
        Format::Json
    } else if ct.starts_with("text/csv") {
        Format::Csv
    } else {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the catalog as application/json or text/csv.",
        ));
    };
    Ok(Json(
        transfer::import(&state.app, &staff, format, &bytes).await?,
    ))
}
