//! HTTP: the JSON API under `/api/v1/`, the public pages, operations endpoints and the
//! middleware every response passes through. Handlers only translate HTTP to use cases.

mod advisories;
mod api;
mod auth;
mod cases;
mod catalog;
mod catalog_pages;
mod cvss;
pub mod error;
mod ops;
pub mod pages;
pub mod security;
mod session;
mod signin;
mod staff;
mod upload;

use std::{
    sync::{Arc, OnceLock},
    time::Duration,
};

use axum::{Router, extract::DefaultBodyLimit, http::HeaderName, middleware};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::{
    request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use self::auth::BearerScheme;
use crate::app::App;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: PrometheusHandle,
    pub limiter: Arc<security::RateLimiter>,
    /// The OpenAPI document, filled in once the router is built.
    pub openapi: Arc<OnceLock<String>>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "psirt API", description = "Vulnerability intake and handling. Errors are RFC 9457 problem+json with a stable `code`."),
    components(schemas(error::Problem)),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

/// The whole application as one router, and the OpenAPI document describing it.
pub fn router(state: AppState) -> (Router, utoipa::openapi::OpenApi) {
    let limits = &state.app.config.limits;
    let submissions = OpenApiRouter::new()
        .routes(utoipa_axum::routes!(api::submit_report))
        .routes(utoipa_axum::routes!(api::post_tracking_message))
        .routes(utoipa_axum::routes!(pages::submit_report_form))
        .routes(utoipa_axum::routes!(pages::post_tracking_message))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::rate_limit,
        ));
    let (router, mut openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(utoipa_axum::routes!(api::list_reports))
        .routes(utoipa_axum::routes!(api::get_report))
        .routes(utoipa_axum::routes!(api::download_attachment))
        .routes(utoipa_axum::routes!(api::get_tracking))
        .routes(utoipa_axum::routes!(advisories::create, advisories::list))
        .routes(utoipa_axum::routes!(advisories::get, advisories::update))
        .routes(utoipa_axum::routes!(advisories::approve))
        .routes(utoipa_axum::routes!(advisories::publish_advisory))
        .routes(utoipa_axum::routes!(advisories::advisory_page))
        .routes(utoipa_axum::routes!(advisories::index_page))
        .routes(utoipa_axum::routes!(advisories::atom_feed))
        .routes(utoipa_axum::routes!(advisories::advisory_file))
        .routes(utoipa_axum::routes!(advisories::provider_metadata))
        .routes(utoipa_axum::routes!(advisories::csaf_white))
        .routes(utoipa_axum::routes!(advisories::csaf_restricted))
        .routes(utoipa_axum::routes!(advisories::security_txt))
        .routes(utoipa_axum::routes!(advisories::openpgp_key))
        .routes(utoipa_axum::routes!(
            catalog::list_products,
            catalog::create_product
        ))
        .routes(utoipa_axum::routes!(
            catalog::get_product,
            catalog::update_product,
            catalog::delete_product
        ))
        .routes(utoipa_axum::routes!(
            catalog::list_models,
            catalog::create_model
        ))
        .routes(utoipa_axum::routes!(
            catalog::get_model,
            catalog::update_model,
            catalog::delete_model
        ))
        .routes(utoipa_axum::routes!(
            catalog::list_versions,
            catalog::create_version
        ))
        .routes(utoipa_axum::routes!(
            catalog::get_version,
            catalog::update_version,
            catalog::delete_version
        ))
        .routes(utoipa_axum::routes!(catalog::export))
        .routes(utoipa_axum::routes!(catalog::import))
        .routes(utoipa_axum::routes!(catalog_pages::products_page))
        .routes(utoipa_axum::routes!(catalog_pages::product_page))
        .routes(utoipa_axum::routes!(catalog_pages::release_notes))
        .routes(utoipa_axum::routes!(catalog_pages::product_feed))
        .routes(utoipa_axum::routes!(catalog_pages::eos_page))
        .routes(utoipa_axum::routes!(catalog_pages::eos_feed))
        .routes(utoipa_axum::routes!(cases::list_cases))
        .routes(utoipa_axum::routes!(cases::get_case, cases::patch_case))
        .routes(utoipa_axum::routes!(cases::case_action))
        .routes(utoipa_axum::routes!(cases::add_task))
        .routes(utoipa_axum::routes!(cases::update_task))
        .routes(utoipa_axum::routes!(
            cases::list_messages,
            cases::post_message
        ))
        .routes(utoipa_axum::routes!(cases::add_member))
        .routes(utoipa_axum::routes!(cases::extend))
        .routes(utoipa_axum::routes!(cases::milestone_met))
        .routes(utoipa_axum::routes!(cases::audit))
        .routes(utoipa_axum::routes!(pages::home))
        .routes(utoipa_axum::routes!(pages::report_form))
        .routes(utoipa_axum::routes!(pages::tracking_page))
        .routes(utoipa_axum::routes!(pages::setup_page, pages::setup_submit))
        .routes(utoipa_axum::routes!(pages::stylesheet))
        .routes(utoipa_axum::routes!(cvss::script))
        .routes(utoipa_axum::routes!(cvss::score))
        .routes(utoipa_axum::routes!(ops::healthz))
        .routes(utoipa_axum::routes!(ops::readyz))
        .routes(utoipa_axum::routes!(ops::metrics))
        .routes(utoipa_axum::routes!(ops::openapi))
        .merge(submissions)
        .split_for_parts();
    let router = router.merge(staff::router());
    openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let request_id = HeaderName::from_static("x-request-id");
    let router = router
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(middleware::from_fn(security::same_origin))
        .layer(middleware::from_fn(security::headers))
        .layer(middleware::from_fn(ops::track_metrics))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(120)))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, NewRequestId))
        .with_state(state.clone());
    // Set once per state; a second router built from the same state describes the same routes.
    let _ = state
        .openapi
        .set(openapi.to_pretty_json().unwrap_or_default());
    (router, openapi)
}

#[derive(Clone, Copy)]
struct NewRequestId;

impl MakeRequestId for NewRequestId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        axum::http::HeaderValue::from_str(&crate::storage::new_id())
            .ok()
            .map(RequestId::new)
    }
}
