//! The whole catalog as one JSON document or one CSV table, and back. Import creates or
//! updates by name (products by name, models by name within their product, versions by model
//! and text) and never deletes; every bad row is reported and then nothing is written (one
//! transaction). Under a `declared` scheme the file's order of versions is the declared order.

mod csv_table;

use std::collections::BTreeMap;

use psirt_domain::{catalog::VersionScheme, report::FieldErrors};
use serde::{Deserialize, Serialize};

use super::{
    Loaded, ModelInput, ProductInput, ProductVersionInput, markets_of, need_write, sorted,
    ts_to_date,
    write::{
        apply_model, apply_product, apply_version, new_model_row, new_product_row, new_version_row,
        ordinals,
    },
};
use crate::{
    app::{App, AppError, Staff},
    storage::{
        StorageError, audit,
        case_write::Tx,
        catalog::{self as store, ModelRow},
    },
};

/// The formats of [`export`] and [`import`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
}

pub const FORMAT_NAME: &str = "psirt-catalog";

/// The JSON document: `{"format": "psirt-catalog", "version": 1, "products": […]}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CatalogDocument {
    pub format: String,
    pub version: u32,
    pub products: Vec<ProductDoc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProductDoc {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub models: Vec<ModelDoc>,
    /// Oldest first (the declared order under the `declared` scheme).
    #[serde(default)]
    pub versions: Vec<VersionDoc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelDoc {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_support: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct VersionDoc {
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_of_support: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markets: Option<Vec<String>>,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ImportSummary {
    pub products_created: usize,
    pub products_updated: usize,
    pub models_created: usize,
    pub models_updated: usize,
    pub versions_created: usize,
    pub versions_updated: usize,
}

/// Where each part of a document came from, to name it in errors: a JSON path or a CSV line.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    /// Per product: its own prefix, its models' and its versions' prefixes (same order as
    /// the document), and the renaming of fields for CSV columns.
    pub products: Vec<ProductOrigin>,
    /// Fields are CSV columns: a product's `name` is the `product` column, a model's
    /// `model_name` the `model` column.
    pub csv: bool,
    /// Rows the parser already refused (left out of the document), reported with the rest.
    pub errors: FieldErrors,
}

impl Origins {
    fn rename(&self, mut errors: FieldErrors) -> FieldErrors {
        if self.csv {
            for e in &mut errors.0 {
                if let Some(line) = e.field.strip_suffix(".model_name") {
                    e.field = format!("{line}.model");
                } else if let Some(line) = e.field.strip_suffix(".name") {
                    e.field = format!("{line}.product");
                }
            }
        }
        errors
    }
}

#[derive(Debug, Clone, Default)]
pub struct ProductOrigin {
    pub product: String,
    pub models: Vec<String>,
    pub versions: Vec<String>,
}

/// Reads the whole catalog.
pub async fn document(app: &App) -> Result<CatalogDocument, AppError> {
    let mut conn = app.db.pool().acquire().await.map_err(StorageError::from)?;
    let products = store::all_products(&mut conn).await?;
    let models = store::models(&mut conn, None).await?;
    let versions = store::versions(&mut conn, None).await?;
    let date = |t: Option<jiff::Timestamp>| t.map(|t| ts_to_date(t).to_string());
    let mut out = Vec::with_capacity(products.len());
    for p in products {
        let mine: Vec<ModelRow> = models
            .iter()
            .filter(|m| m.product_id == p.id)
            .cloned()
            .collect();
        let vs: Vec<_> = versions
            .iter()
            .filter(|v| v.product_id == p.id)
            .cloned()
            .collect();
        let vs = sorted(&p, vs, &mine);
        out.push(ProductDoc {
            models: mine
                .iter()
                .map(|m| ModelDoc {
                    name: m.name.clone(),
                    description: m.description.clone(),
                    end_of_support: date(m.eos_at),
                })
                .collect(),
            versions: vs
                .iter()
                .map(|v| VersionDoc {
                    version: v.version.clone(),
                    model: v
                        .model_id
                        .as_ref()
                        .and_then(|id| mine.iter().find(|m| &m.id == id))
                        .map(|m| m.name.clone()),
                    released: date(v.released_at),
                    support: Some(v.support_status.clone()),
                    end_of_support: date(v.eos_at),
                    markets: Some(markets_of(&v.markets)),
                })
                .collect(),
            name: p.name,
            slug: Some(p.slug),
            vendor: p.vendor,
            version_scheme: Some(p.version_scheme),
            purl: p.purl,
            description: p.description,
        });
    }
    Ok(CatalogDocument {
        format: FORMAT_NAME.into(),
        version: 1,
        products: out,
    })
}

/// The catalog as JSON or CSV (any staff member).
pub async fn export(app: &App, _staff: &Staff, format: Format) -> Result<String, AppError> {
    let doc = document(app).await?;
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(&doc)
                .map_err(|e| AppError::Unavailable(format!("catalog export: {e}")))?;
            text.push('\n');
            Ok(text)
        }
        Format::Csv => csv_table::write(&doc),
    }
}

/// A document as CSV.
pub fn csv_text(doc: &CatalogDocument) -> Result<String, AppError> {
    csv_table::write(doc)
}

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> AppError {
    let mut e = FieldErrors::default();
    e.push(field, code, message);
    AppError::Invalid(e)
}

/// Parses an import file into a document and where each of its parts came from.
pub fn parse(format: Format, bytes: &[u8]) -> Result<(CatalogDocument, Origins), AppError> {
    match format {
        Format::Csv => csv_table::read(bytes),
        Format::Json => {
            let de = &mut serde_json::Deserializer::from_slice(bytes);
            let doc: CatalogDocument = serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                invalid(&path, "malformed", e.into_inner().to_string())
            })?;
            if doc.format != FORMAT_NAME || doc.version != 1 {
                return Err(invalid(
                    "format",
                    "invalid",
                    format!("expected \"format\": \"{FORMAT_NAME}\", \"version\": 1"),
                ));
            }
            let origins = Origins {
                products: doc
                    .products
                    .iter()
                    .enumerate()
                    .map(|(i, p)| ProductOrigin {
                        product: format!("products[{i}]."),
                        models: (0..p.models.len())
                            .map(|j| format!("products[{i}].models[{j}]."))
                            .collect(),
                        versions: (0..p.versions.len())
                            .map(|j| format!("products[{i}].versions[{j}]."))
                            .collect(),
                    })
                    .collect(),
                csv: false,
                errors: FieldErrors::default(),
            };
            Ok((doc, origins))
        }
    }
}

/// Collects field errors (invalid or duplicate) and passes every other failure on.
fn collect(result: Result<(), AppError>, errors: &mut FieldErrors) -> Result<bool, AppError> {
    match result {
        Ok(()) => Ok(true),
        Err(AppError::Invalid(e) | AppError::Exists(e)) => {
            errors.0.extend(e.0);
            Ok(false)
        }
        Err(other) => Err(other),
    }
}

/// Imports a JSON or CSV catalog (admins and PMs).
pub async fn import(
    app: &App,
    staff: &Staff,
    format: Format,
    bytes: &[u8],
) -> Result<ImportSummary, AppError> {
    need_write(staff)?;
    let (doc, origins) = parse(format, bytes)?;
    import_document(app, &staff.user_id, &doc, &origins).await
}

/// Imports a parsed document in one transaction as `actor` (a user id, or `system` from the CLI).
pub async fn import_document(
    app: &App,
    actor: &str,
    doc: &CatalogDocument,
    origins: &Origins,
) -> Result<ImportSummary, AppError> {
    let now = app.clock.now();
    let mut tx: Tx<'_> = app.db.pool().begin().await.map_err(StorageError::from)?;
    let mut summary = ImportSummary::default();
    let mut errors = origins.errors.clone();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, p) in doc.products.iter().enumerate() {
        let origin = origins.products.get(i).cloned().unwrap_or_default();
        if let Some(first) = seen.insert(p.name.trim().to_owned(), origin.product.clone()) {
            errors.push(
                format!("{}name", origin.product),
                "duplicate",
                format!(
                    "the product {:?} is listed twice (first at {first})",
                    p.name
                ),
            );
            continue;
        }
        import_product(&mut tx, p, &origin, now, &mut summary, &mut errors).await?;
    }
    if !errors.is_empty() {
        // Dropping the transaction rolls back whatever was written before the first error.
        return Err(AppError::Invalid(origins.rename(errors)));
    }
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor,
            action: "catalog.import",
            case_id: None,
            detail: serde_json::to_value(&summary).unwrap_or_default(),
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(summary)
}

async fn import_product(
    tx: &mut Tx<'_>,
    p: &ProductDoc,
    origin: &ProductOrigin,
    now: jiff::Timestamp,
    summary: &mut ImportSummary,
    errors: &mut FieldErrors,
) -> Result<(), AppError> {
    let input = ProductInput {
        name: Some(p.name.clone()),
        slug: p.slug.clone(),
        vendor: p.vendor.clone(),
        version_scheme: p.version_scheme.clone(),
        purl: p.purl.clone(),
        description: p.description.clone(),
        declared_order: None,
    };
    let existing = store::product_by_name(tx, p.name.trim()).await?;
    let creating = existing.is_none();
    let mut row = existing.unwrap_or_else(|| new_product_row(now));
    let previous_scheme = row.version_scheme.clone();
    if !collect(
        apply_product(tx, &mut row, &input, &origin.product).await,
        errors,
    )? {
        return Ok(());
    }
    if creating {
        row.id = store::fresh_id();
        store::insert_product(tx, &row).await?;
        summary.products_created += 1;
    } else {
        store::update_product(tx, &row).await?;
        summary.products_updated += 1;
    }
    let mut loaded = Loaded::read(tx, &row.id).await?;
    for (j, m) in p.models.iter().enumerate() {
        let prefix = origin.models.get(j).cloned().unwrap_or_default();
        let input = ModelInput {
            name: Some(m.name.clone()),
            description: m.description.clone(),
            end_of_support: m.end_of_support.clone(),
        };
        let existing = loaded
            .models
            .iter()
            .find(|x| x.name == m.name.trim())
            .cloned();
        let creating = existing.is_none();
        let mut model = existing.unwrap_or_else(|| new_model_row(&row.id));
        if !collect(
            apply_model(&loaded, &mut model, &input, &prefix, now),
            errors,
        )? {
            continue;
        }
        if creating {
            model.id = store::fresh_id();
            store::insert_model(tx, &model).await?;
            loaded.models.push(model);
            summary.models_created += 1;
        } else {
            store::update_model(tx, &model).await?;
            summary.models_updated += 1;
        }
    }
    let mut file_order: Vec<String> = Vec::new();
    let mut listed: Vec<(&str, Option<&str>, String)> = Vec::new();
    for (j, v) in p.versions.iter().enumerate() {
        let prefix = origin.versions.get(j).cloned().unwrap_or_default();
        let key = (
            v.version.trim(),
            v.model.as_deref().map(str::trim),
            prefix.clone(),
        );
        if let Some((_, _, first)) = listed.iter().find(|(a, b, _)| (*a, *b) == (key.0, key.1)) {
            errors.push(
                format!("{prefix}version"),
                "duplicate",
                format!(
                    "version {:?} of this model is listed twice (first at {})",
                    v.version,
                    first.trim_end_matches('.')
                ),
            );
            continue;
        }
        listed.push(key);
        let input = ProductVersionInput {
            version: Some(v.version.clone()),
            model: v.model.clone(),
            released: v.released.clone(),
            support: v.support.clone(),
            end_of_support: v.end_of_support.clone(),
            markets: v.markets.clone(),
        };
        let model_id = v
            .model
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .and_then(|m| loaded.models.iter().find(|x| x.name == m))
            .map(|m| m.id.clone());
        let existing = loaded
            .versions
            .iter()
            .find(|x| x.version == v.version.trim() && x.model_id == model_id)
            .cloned();
        let creating = existing.is_none();
        let mut version = existing.unwrap_or_else(|| new_version_row(&row.id));
        if !collect(
            apply_version(&loaded, &mut version, &input, &prefix, now),
            errors,
        )? {
            continue;
        }
        if !file_order.contains(&version.version) {
            file_order.push(version.version.clone());
        }
        if creating {
            version.id = store::fresh_id();
            store::insert_version(tx, &version).await?;
            loaded.versions.push(version);
            summary.versions_created += 1;
        } else {
            store::update_version(tx, &version).await?;
            if let Some(slot) = loaded.versions.iter_mut().find(|x| x.id == version.id) {
                *slot = version;
            }
            summary.versions_updated += 1;
        }
    }
    let declared = row.version_scheme == VersionScheme::Declared.as_str();
    if declared || row.version_scheme != previous_scheme {
        // Versions the file does not list keep their order, before the file's.
        let order = declared.then(|| {
            let before = loaded.order();
            let mut list: Vec<String> = before
                .declared()
                .iter()
                .filter(|v| !file_order.contains(v))
                .cloned()
                .collect();
            list.extend(file_order.iter().cloned());
            list
        });
        let ranges = store::case_ranges(tx, &row.name).await?;
        match ordinals(
            &row,
            &loaded.versions,
            &previous_scheme,
            order.as_deref(),
            &ranges,
            &origin.product,
        ) {
            Ok(places) => {
                for (version, place) in places {
                    store::set_ordinal(tx, &row.id, &version, place).await?;
                }
            }
            Err(e) => {
                collect(Err(e), errors)?;
            }
        }
    }
    Ok(())
}
