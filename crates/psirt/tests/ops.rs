//! Operations: health, readiness, metrics and the OpenAPI description.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::{TestApp, report};
use serde_json::Value;

#[tokio::test]
async fn health_readiness_and_metrics() {
    let t = TestApp::spawn().await;
    assert_eq!(
        t.http
            .get(t.url("/healthz"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "ok"
    );
    assert_eq!(
        t.http.get(t.url("/readyz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(t.submit(&report("counted")).await.status(), 201);
    let metrics = t
        .http
        .get(t.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("psirt_reports_received_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains("psirt_http_requests_total")
            && metrics.contains("route=\"/api/v1/reports\"")
    );
    assert!(metrics.contains("psirt_http_request_duration_seconds"));

    t.app.db.close().await;
    assert_eq!(
        t.http.get(t.url("/readyz")).send().await.unwrap().status(),
        503
    );
}

#[tokio::test]
async fn openapi_describes_every_route() {
    let t = TestApp::spawn().await;
    let doc: Value = t
        .http
        .get(t.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/api/v1/reports", "post"),
        ("/api/v1/reports", "get"),
        ("/api/v1/reports/{reference}", "get"),
        ("/api/v1/reports/{reference}/attachments/{id}", "get"),
        ("/api/v1/track/{token}", "get"),
        ("/api/v1/track/{token}/messages", "post"),
        ("/", "get"),
        ("/report", "get"),
        ("/report", "post"),
        ("/track/{token}", "get"),
        ("/track/{token}/messages", "post"),
        ("/setup/{token}", "get"),
        ("/setup/{token}", "post"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/api/openapi.json", "get"),
        ("/api/v1/cvss", "get"),
        ("/static/cvss.js", "get"),
        ("/api/v1/products", "get"),
        ("/api/v1/products", "post"),
        ("/api/v1/products/{product}", "get"),
        ("/api/v1/products/{product}", "patch"),
        ("/api/v1/products/{product}", "delete"),
        ("/api/v1/products/{product}/models", "get"),
        ("/api/v1/products/{product}/models", "post"),
        ("/api/v1/products/{product}/models/{model}", "get"),
        ("/api/v1/products/{product}/models/{model}", "patch"),
        ("/api/v1/products/{product}/models/{model}", "delete"),
        ("/api/v1/products/{product}/versions", "get"),
        ("/api/v1/products/{product}/versions", "post"),
        ("/api/v1/products/{product}/versions/{version}", "get"),
        ("/api/v1/products/{product}/versions/{version}", "patch"),
        ("/api/v1/products/{product}/versions/{version}", "delete"),
        ("/api/v1/catalog/export", "get"),
        ("/api/v1/catalog/import", "post"),
        ("/products", "get"),
        ("/products/{slug}", "get"),
        ("/products/{slug}/feed.atom", "get"),
        ("/products/{slug}/versions/{version}", "get"),
        ("/end-of-support", "get"),
        ("/end-of-support/feed.atom", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} missing"
        );
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
