//! Public catalog pages (no account): products, release notes per version, end-of-support
//! announcements, and Atom feeds (per product, and of end-of-support announcements), every value
//! escaped by its template (HTML, or XML for the feeds).

use askama::Template;
use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use super::{AppState, pages::app_error_page};
use crate::app::{
    AppError,
    advisories::directory::PublicEntry,
    catalog::public::{self, EosEntry, ProductPage, ProductSummary, ReleaseNotes},
};

#[derive(Template, askama_web::WebTemplate)]
#[template(path = "products.html")]
struct ProductsPage {
    org_name: String,
    products: Vec<ProductSummary>,
}

#[derive(Template, askama_web::WebTemplate)]
#[template(path = "product.html")]
struct ProductHtml {
    org_name: String,
    p: ProductPage,
}

#[derive(Template, askama_web::WebTemplate)]
#[template(path = "release_notes.html")]
struct ReleaseNotesHtml {
    org_name: String,
    n: ReleaseNotes,
}

#[derive(Template, askama_web::WebTemplate)]
#[template(path = "end_of_support.html")]
struct EosHtml {
    org_name: String,
    entries: Vec<EosEntry>,
}

#[derive(Template)]
#[template(path = "end_of_support.atom", escape = "html")]
struct EosAtom {
    base: String,
    org_name: String,
    updated: String,
    entries: Vec<EosEntry>,
}

#[derive(Template)]
#[template(path = "product.atom", escape = "html")]
struct ProductAtom {
    base: String,
    org_name: String,
    slug: String,
    product: String,
    updated: String,
    entries: Vec<PublicEntry>,
}

fn org(state: &AppState) -> String {
    state.app.config.organization.name.clone()
}

fn atom(feed: Result<String, askama::Error>) -> Response {
    match feed {
        Ok(xml) => {
            let mut r = xml.into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            );
            r
        }
        Err(e) => app_error_page(AppError::Unavailable(format!("feed: {e}"))),
    }
}

/// The products of the catalog.
#[utoipa::path(get, path = "/products", tag = "publication", responses((status = 200, content_type = "text/html", body = String)))]
pub async fn products_page(State(state): State<AppState>) -> Response {
    match public::products(&state.app).await {
        Ok(products) => ProductsPage {
            org_name: org(&state),
            products,
        }
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

/// A product: models, versions (release, support, end of support, markets) and its published
/// advisories and notices.
#[utoipa::path(get, path = "/products/{slug}", tag = "publication", params(("slug" = String, Path)),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn product_page(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    match public::product_page(&state.app, &slug).await {
        Ok(p) => ProductHtml {
            org_name: org(&state),
            p,
        }
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

/// Release notes of a version: the published advisories it fixes and those that affect it.
#[utoipa::path(get, path = "/products/{slug}/versions/{version}", tag = "publication",
    params(("slug" = String, Path), ("version" = String, Path)),
    responses((status = 200, content_type = "text/html", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn release_notes(
    State(state): State<AppState>,
    Path((slug, version)): Path<(String, String)>,
) -> Response {
    match public::release_notes(&state.app, &slug, &version).await {
        Ok(n) => ReleaseNotesHtml {
            org_name: org(&state),
            n,
        }
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

/// Atom feed of a product's published advisories and notices.
#[utoipa::path(get, path = "/products/{slug}/feed.atom", tag = "publication", params(("slug" = String, Path)),
    responses((status = 200, content_type = "application/atom+xml", body = String), (status = 404, content_type = "text/html", body = String)))]
pub async fn product_feed(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    let (product, entries) = match public::product_feed(&state.app, &slug).await {
        Ok(x) => x,
        Err(e) => return app_error_page(e),
    };
    let updated = entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(|| state.app.clock.now().to_string());
    atom(
        ProductAtom {
            base: state.app.config.public_url(),
            org_name: org(&state),
            slug,
            product,
            updated,
            entries,
        }
        .render(),
    )
}

/// Announced ends of support of models and versions.
#[utoipa::path(get, path = "/end-of-support", tag = "publication", responses((status = 200, content_type = "text/html", body = String)))]
pub async fn eos_page(State(state): State<AppState>) -> Response {
    match public::end_of_support(&state.app).await {
        Ok(entries) => EosHtml {
            org_name: org(&state),
            entries,
        }
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

/// Atom feed of end-of-support announcements (an entry per model or version, updated when announced).
#[utoipa::path(get, path = "/end-of-support/feed.atom", tag = "publication", responses((status = 200, content_type = "application/atom+xml", body = String)))]
pub async fn eos_feed(State(state): State<AppState>) -> Response {
    let entries = match public::end_of_support(&state.app).await {
        Ok(x) => x,
        Err(e) => return app_error_page(e),
    };
    let updated = entries
        .iter()
        .map(|e| e.announced)
        .max()
        .unwrap_or_else(|| state.app.clock.now())
        .to_string();
    atom(
        EosAtom {
            base: state.app.config.public_url(),
            org_name: org(&state),
            updated,
            entries,
        }
        .render(),
    )
}
