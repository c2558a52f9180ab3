//! The product catalog: products → models (hardware revisions) → versions (releases with
//! release date, support status, end of support and markets), each product ordering its
//! versions by its scheme (`semver`, `dotted`, `declared`). Every staff member reads it; admins
//! and PMs change it ([`Permission::ManageCatalog`]). Writes are one transaction each, audited.

mod check;
pub mod public;
pub mod resolve;
pub mod transfer;
mod write;

use jiff::{Timestamp, civil::Date, tz::TimeZone};
use psirt_domain::{
    case::Permission,
    catalog::{VersionOrder, VersionScheme},
};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

pub use write::{
    create_model, create_product, create_version, delete_model, delete_product, delete_version,
    update_model, update_product, update_version,
};

use super::{App, AppError, Staff};
use crate::storage::{
    StorageError,
    catalog::{self as store, ModelRow, ProductRow, VersionRow},
};

/// A product. Create: `name` required; `slug` defaults to one made from the name,
/// `version_scheme` to `dotted`. Update: only the fields present change; an empty string
/// clears an optional text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductInput {
    pub name: Option<String>,
    /// Lower-case letters, digits and dashes: the product's public URL `/products/{slug}`.
    pub slug: Option<String>,
    /// Defaults to the organisation's name in published documents.
    pub vendor: Option<String>,
    /// `semver`, `dotted` (numbers of any depth, e.g. 2.10.3 > 2.9.12) or `declared`.
    pub version_scheme: Option<String>,
    /// Package URL without a version (`pkg:npm/fleet-app`); a version's purl adds `@version`.
    pub purl: Option<String>,
    pub description: Option<String>,
    /// `declared` scheme only: every version of the product, oldest first.
    pub declared_order: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductView {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub vendor: Option<String>,
    pub version_scheme: String,
    pub purl: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    /// `declared` scheme: the version order, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_order: Option<Vec<String>>,
    /// How many models and versions the product has.
    pub model_count: usize,
    pub version_count: usize,
}

/// A product with its models and its versions (oldest first under the product's scheme).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductDetail {
    #[serde(flatten)]
    pub product: ProductView,
    pub models: Vec<ModelView>,
    pub versions: Vec<ProductVersionView>,
}

/// A hardware model. Create: `name` required.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelInput {
    pub name: Option<String>,
    pub description: Option<String>,
    /// `YYYY-MM-DD`; an empty string withdraws it.
    pub end_of_support: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModelView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub end_of_support: Option<Date>,
    /// When the end of support was announced (set or changed).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_of_support_announced_at: Option<Timestamp>,
}

/// A version (release). Create: `version` required, valid under the product's scheme.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductVersionInput {
    pub version: Option<String>,
    /// The model's name (or id); absent or empty: the version belongs to the product as a whole.
    pub model: Option<String>,
    /// Release date `YYYY-MM-DD` (empty: not released yet).
    pub released: Option<String>,
    /// `supported` (default), `security_only` or `unsupported`.
    pub support: Option<String>,
    /// Announced end of support `YYYY-MM-DD` (empty: none announced).
    pub end_of_support: Option<String>,
    /// ISO 3166-1 alpha-2 codes (EU member states, `CN`, any other country) or `EU`.
    pub markets: Option<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProductVersionView {
    pub id: String,
    pub version: String,
    pub model: Option<String>,
    pub model_id: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub released: Option<Date>,
    pub support: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub end_of_support: Option<Date>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub end_of_support_announced_at: Option<Timestamp>,
    pub markets: Vec<String>,
    /// `declared` scheme: the place in the order (1 = oldest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

/// A page of a list and the size of the whole list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CatalogList<T> {
    pub items: Vec<T>,
    pub total: i64,
}

pub type ProductList = CatalogList<ProductView>;
pub type ModelList = CatalogList<ModelView>;
pub type VersionList = CatalogList<ProductVersionView>;

/// A date as stored: midnight UTC.
pub(crate) fn date_to_ts(date: Date) -> Option<Timestamp> {
    date.to_zoned(TimeZone::UTC).ok().map(|z| z.timestamp())
}

pub(crate) fn ts_to_date(ts: Timestamp) -> Date {
    ts.to_zoned(TimeZone::UTC).date()
}

fn need_write(staff: &Staff) -> Result<(), AppError> {
    if staff.role.may(Permission::ManageCatalog) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an admin or a PM may change the product catalog",
        ))
    }
}

/// The version order of a product from its scheme and, for `declared`, its versions' places.
pub fn order_of(product: &ProductRow, versions: &[VersionRow]) -> VersionOrder {
    let scheme = VersionScheme::parse(&product.version_scheme).unwrap_or(VersionScheme::Dotted);
    let mut declared: Vec<(i64, &str)> = versions
        .iter()
        .filter(|v| v.product_id == product.id)
        .map(|v| (v.ordinal.unwrap_or(i64::MAX), v.version.as_str()))
        .collect();
    declared.sort();
    let mut list: Vec<String> = Vec::new();
    for (_, v) in declared {
        if !list.iter().any(|l| l == v) {
            list.push(v.to_owned());
        }
    }
    VersionOrder::new(scheme, list)
}

/// A product's versions, oldest first (same version of several models: by model name).
pub fn sorted(
    product: &ProductRow,
    mut versions: Vec<VersionRow>,
    models: &[ModelRow],
) -> Vec<VersionRow> {
    let order = order_of(product, &versions);
    let model_name = |v: &VersionRow| -> String {
        v.model_id
            .as_ref()
            .and_then(|id| models.iter().find(|m| &m.id == id))
            .map(|m| m.name.clone())
            .unwrap_or_default()
    };
    versions.sort_by_key(model_name);
    order.sort_by_key(&mut versions, |v| v.version.as_str());
    versions
}

fn model_view(m: &ModelRow) -> ModelView {
    ModelView {
        id: m.id.clone(),
        name: m.name.clone(),
        description: m.description.clone(),
        end_of_support: m.eos_at.map(ts_to_date),
        end_of_support_announced_at: m.eos_announced_at,
    }
}

fn version_view(v: &VersionRow, models: &[ModelRow], declared: bool) -> ProductVersionView {
    let model = v
        .model_id
        .as_ref()
        .and_then(|id| models.iter().find(|m| &m.id == id));
    ProductVersionView {
        id: v.id.clone(),
        version: v.version.clone(),
        model: model.map(|m| m.name.clone()),
        model_id: v.model_id.clone(),
        released: v.released_at.map(ts_to_date),
        support: v.support_status.clone(),
        end_of_support: v.eos_at.map(ts_to_date),
        end_of_support_announced_at: v.eos_announced_at,
        markets: markets_of(&v.markets),
        position: if declared { v.ordinal } else { None },
    }
}

pub(crate) fn markets_of(stored: &str) -> Vec<String> {
    stored
        .split(',')
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect()
}

fn product_view(p: &ProductRow, models: &[ModelRow], versions: &[VersionRow]) -> ProductView {
    let declared = p.version_scheme == VersionScheme::Declared.as_str();
    let mine: Vec<VersionRow> = versions
        .iter()
        .filter(|v| v.product_id == p.id)
        .cloned()
        .collect();
    ProductView {
        id: p.id.clone(),
        slug: p.slug.clone(),
        name: p.name.clone(),
        vendor: p.vendor.clone(),
        version_scheme: p.version_scheme.clone(),
        purl: p.purl.clone(),
        description: p.description.clone(),
        created_at: p.created_at,
        declared_order: declared.then(|| order_of(p, &mine).declared().to_vec()),
        model_count: models.iter().filter(|m| m.product_id == p.id).count(),
        version_count: mine.len(),
    }
}

/// A product, its models and versions, read on one connection.
pub struct Loaded {
    pub product: ProductRow,
    pub models: Vec<ModelRow>,
    pub versions: Vec<VersionRow>,
}

impl Loaded {
    pub async fn read(conn: &mut AnyConnection, key: &str) -> Result<Self, AppError> {
        let product = store::product_by_key(conn, key)
            .await?
            .ok_or(AppError::NotFound)?;
        let models = store::models(conn, Some(&product.id)).await?;
        let versions = store::versions(conn, Some(&product.id)).await?;
        let versions = sorted(&product, versions, &models);
        Ok(Self {
            product,
            models,
            versions,
        })
    }

    fn detail(&self) -> ProductDetail {
        let declared = self.product.version_scheme == VersionScheme::Declared.as_str();
        ProductDetail {
            product: product_view(&self.product, &self.models, &self.versions),
            models: self.models.iter().map(model_view).collect(),
            versions: self
                .versions
                .iter()
                .map(|v| version_view(v, &self.models, declared))
                .collect(),
        }
    }

    pub fn order(&self) -> VersionOrder {
        order_of(&self.product, &self.versions)
    }
}

async fn conn(app: &App) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, AppError> {
    Ok(app.db.pool().acquire().await.map_err(StorageError::from)?)
}

/// Products by name, a page at a time.
pub async fn list_products(
    app: &App,
    _staff: &Staff,
    limit: i64,
    offset: i64,
) -> Result<CatalogList<ProductView>, AppError> {
    let (limit, offset) = (limit.clamp(1, 500), offset.max(0));
    let mut c = conn(app).await?;
    let (products, total) = store::product_page(&mut c, limit, offset).await?;
    let models = store::models(&mut c, None).await?;
    let versions = store::versions(&mut c, None).await?;
    Ok(CatalogList {
        items: products
            .iter()
            .map(|p| product_view(p, &models, &versions))
            .collect(),
        total,
    })
}

pub async fn get_product(app: &App, _staff: &Staff, key: &str) -> Result<ProductDetail, AppError> {
    let mut c = conn(app).await?;
    Ok(Loaded::read(&mut c, key).await?.detail())
}

pub async fn list_models(
    app: &App,
    _staff: &Staff,
    key: &str,
) -> Result<CatalogList<ModelView>, AppError> {
    let mut c = conn(app).await?;
    let loaded = Loaded::read(&mut c, key).await?;
    let items: Vec<ModelView> = loaded.models.iter().map(model_view).collect();
    Ok(CatalogList {
        total: i64::try_from(items.len()).unwrap_or(i64::MAX),
        items,
    })
}

pub async fn get_model(
    app: &App,
    _staff: &Staff,
    key: &str,
    model: &str,
) -> Result<ModelView, AppError> {
    let mut c = conn(app).await?;
    let loaded = Loaded::read(&mut c, key).await?;
    loaded
        .models
        .iter()
        .find(|m| m.id == model || m.name == model)
        .map(model_view)
        .ok_or(AppError::NotFound)
}

/// A product's versions, oldest first under its scheme.
pub async fn list_versions(
    app: &App,
    _staff: &Staff,
    key: &str,
) -> Result<CatalogList<ProductVersionView>, AppError> {
    let mut c = conn(app).await?;
    let detail = Loaded::read(&mut c, key).await?.detail();
    Ok(CatalogList {
        total: i64::try_from(detail.versions.len()).unwrap_or(i64::MAX),
        items: detail.versions,
    })
}

pub async fn get_version(
    app: &App,
    _staff: &Staff,
    key: &str,
    id: &str,
) -> Result<ProductVersionView, AppError> {
    let mut c = conn(app).await?;
    let detail = Loaded::read(&mut c, key).await?.detail();
    detail
        .versions
        .into_iter()
        .find(|v| v.id == id)
        .ok_or(AppError::NotFound)
}
