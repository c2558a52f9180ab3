//! What the public sees of the catalog: the product list, a product's page (models, versions,
//! its published advisories), release notes per version (the published advisories a version
//! fixes, and those that affect it), end-of-support announcements, and per-product feeds.
//! Need-to-know: advisories appear only once published as TLP:WHITE, and only as published
//! (from [`crate::storage::advisory_versions`] and the published CSAF files), never from cases.

use jiff::{Timestamp, civil::Date};
use psirt_domain::{
    advisory::{AdvisoryDoc, Tlp},
    catalog::SupportStatus,
};

use super::{Loaded, markets_of, ts_to_date};
use crate::{
    app::{
        App, AppError,
        advisories::directory::{PublicEntry, public_entry_of},
    },
    storage::{
        StorageError,
        advisory_versions::{self, PublishedMention},
        case_write::Tx,
        catalog::{self as store, ProductRow, VersionRow},
    },
};

/// A product in the public list.
#[derive(Debug, Clone)]
pub struct ProductSummary {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub versions: usize,
}

pub async fn products(app: &App) -> Result<Vec<ProductSummary>, AppError> {
    let mut conn = app.db.pool().acquire().await.map_err(StorageError::from)?;
    let products = store::all_products(&mut conn).await?;
    let versions = store::versions(&mut conn, None).await?;
    Ok(products
        .into_iter()
        .map(|p| ProductSummary {
            versions: versions.iter().filter(|v| v.product_id == p.id).count(),
            slug: p.slug,
            name: p.name,
            description: p.description.unwrap_or_default(),
        })
        .collect())
}

/// One version (of one model) as a page shows it.
#[derive(Debug, Clone)]
pub struct VersionLine {
    pub version: String,
    pub model: String,
    pub released: String,
    pub support: &'static str,
    pub end_of_support: String,
    pub markets: String,
}

/// A model as a page shows it.
#[derive(Debug, Clone)]
pub struct ModelLine {
    pub name: String,
    pub description: String,
    pub end_of_support: String,
}

/// A published advisory and what it says about this product's versions.
#[derive(Debug, Clone)]
pub struct AdvisoryLine {
    pub entry: PublicEntry,
    pub affected: Vec<String>,
    pub fixed: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ProductPage {
    pub slug: String,
    pub name: String,
    pub vendor: String,
    pub description: String,
    pub scheme: String,
    pub models: Vec<ModelLine>,
    /// Newest first.
    pub versions: Vec<VersionLine>,
    pub advisories: Vec<AdvisoryLine>,
}

fn date(t: Option<Timestamp>) -> String {
    t.map(|t| ts_to_date(t).to_string()).unwrap_or_default()
}

fn line(loaded: &Loaded, v: &VersionRow) -> VersionLine {
    VersionLine {
        version: v.version.clone(),
        model: v
            .model_id
            .as_ref()
            .and_then(|id| loaded.models.iter().find(|m| &m.id == id))
            .map(|m| m.name.clone())
            .unwrap_or_default(),
        released: date(v.released_at),
        support: SupportStatus::parse(&v.support_status)
            .unwrap_or(SupportStatus::Supported)
            .label(),
        end_of_support: date(v.eos_at),
        markets: markets_of(&v.markets).join(" "),
    }
}

/// Published advisories of a product, each once, newest first, with the versions they name.
async fn advisories(
    app: &App,
    mentions: Vec<PublishedMention>,
) -> Result<Vec<AdvisoryLine>, AppError> {
    let mut out: Vec<AdvisoryLine> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for m in &mentions {
        if seen.contains(&m.tracking_id) {
            continue;
        }
        seen.push(m.tracking_id.clone());
        let Some(entry) = public_entry_of(app, &m.tracking_id, m.first_published).await? else {
            continue;
        };
        let of = |status: &str| -> Vec<String> {
            let mut list: Vec<String> = Vec::new();
            for x in mentions
                .iter()
                .filter(|x| x.tracking_id == m.tracking_id && x.status == status)
            {
                if !list.contains(&x.version) {
                    list.push(x.version.clone());
                }
            }
            list
        };
        out.push(AdvisoryLine {
            affected: of("affected"),
            fixed: of("fixed"),
            entry,
        });
    }
    Ok(out)
}

async fn read(app: &App, slug: &str) -> Result<(Loaded, Vec<AdvisoryLine>), AppError> {
    let mut conn = app.db.pool().acquire().await.map_err(StorageError::from)?;
    let loaded = Loaded::read(&mut conn, slug).await?;
    if loaded.product.slug != slug {
        // Public URLs use the slug only (ids are internal).
        return Err(AppError::NotFound);
    }
    let mentions = advisory_versions::for_product(&mut conn, &loaded.product.id).await?;
    drop(conn);
    let advisories = advisories(app, mentions).await?;
    Ok((loaded, advisories))
}

fn vendor(app: &App, p: &ProductRow) -> String {
    p.vendor
        .clone()
        .unwrap_or_else(|| app.config.organization.name.clone())
}

pub async fn product_page(app: &App, slug: &str) -> Result<ProductPage, AppError> {
    let (loaded, advisories) = read(app, slug).await?;
    let p = &loaded.product;
    Ok(ProductPage {
        slug: p.slug.clone(),
        name: p.name.clone(),
        vendor: vendor(app, p),
        description: p.description.clone().unwrap_or_default(),
        scheme: p.version_scheme.clone(),
        models: loaded
            .models
            .iter()
            .map(|m| ModelLine {
                name: m.name.clone(),
                description: m.description.clone().unwrap_or_default(),
                end_of_support: date(m.eos_at),
            })
            .collect(),
        versions: loaded
            .versions
            .iter()
            .rev()
            .map(|v| line(&loaded, v))
            .collect(),
        advisories,
    })
}

/// The published advisories of a product (for its Atom feed), newest first.
pub async fn product_feed(app: &App, slug: &str) -> Result<(String, Vec<PublicEntry>), AppError> {
    let (loaded, advisories) = read(app, slug).await?;
    Ok((
        loaded.product.name,
        advisories.into_iter().map(|a| a.entry).collect(),
    ))
}

#[derive(Debug, Clone)]
pub struct ReleaseNotes {
    pub slug: String,
    pub product: String,
    pub version: String,
    /// The version for each model that has it.
    pub lines: Vec<VersionLine>,
    /// Published advisories whose fix this version contains.
    pub fixes: Vec<PublicEntry>,
    /// Published advisories that name this version as affected.
    pub affected_by: Vec<PublicEntry>,
}

pub async fn release_notes(app: &App, slug: &str, version: &str) -> Result<ReleaseNotes, AppError> {
    let (loaded, advisories) = read(app, slug).await?;
    let lines: Vec<VersionLine> = loaded
        .versions
        .iter()
        .filter(|v| v.version == version)
        .map(|v| line(&loaded, v))
        .collect();
    if lines.is_empty() {
        return Err(AppError::NotFound);
    }
    let with = |pick: fn(&AdvisoryLine) -> &Vec<String>| -> Vec<PublicEntry> {
        advisories
            .iter()
            .filter(|a| pick(a).iter().any(|v| v == version))
            .map(|a| a.entry.clone())
            .collect()
    };
    Ok(ReleaseNotes {
        slug: loaded.product.slug.clone(),
        product: loaded.product.name.clone(),
        version: version.to_owned(),
        fixes: with(|a| &a.fixed),
        affected_by: with(|a| &a.affected),
        lines,
    })
}

/// One end-of-support announcement: a model, or a version (of a model).
#[derive(Debug, Clone)]
pub struct EosEntry {
    /// Stable id for the feed (the catalog row's id).
    pub id: String,
    pub slug: String,
    pub product: String,
    pub model: String,
    pub version: String,
    pub end_of_support: Date,
    pub announced: Timestamp,
    /// The date has passed.
    pub ended: bool,
}

impl EosEntry {
    /// "VoltGuard BMS BMS-200 firmware 2.3.1" in words.
    pub fn subject(&self) -> String {
        let mut s = self.product.clone();
        if !self.model.is_empty() {
            s.push(' ');
            s.push_str(&self.model);
        }
        if !self.version.is_empty() {
            s.push_str(" version ");
            s.push_str(&self.version);
        }
        s
    }
}

/// Every announced end of support, soonest first (models and versions).
pub async fn end_of_support(app: &App) -> Result<Vec<EosEntry>, AppError> {
    let now = app.clock.now();
    let mut conn = app.db.pool().acquire().await.map_err(StorageError::from)?;
    let products = store::all_products(&mut conn).await?;
    let models = store::models(&mut conn, None).await?;
    let versions = store::versions_with_eos(&mut conn).await?;
    let product = |id: &str| products.iter().find(|p| p.id == id);
    let mut out = Vec::new();
    for m in &models {
        let (Some(eos), Some(p)) = (m.eos_at, product(&m.product_id)) else {
            continue;
        };
        out.push(EosEntry {
            id: m.id.clone(),
            slug: p.slug.clone(),
            product: p.name.clone(),
            model: m.name.clone(),
            version: String::new(),
            end_of_support: ts_to_date(eos),
            announced: m.eos_announced_at.unwrap_or(eos),
            ended: eos <= now,
        });
    }
    for v in &versions {
        let (Some(eos), Some(p)) = (v.eos_at, product(&v.product_id)) else {
            continue;
        };
        out.push(EosEntry {
            id: v.id.clone(),
            slug: p.slug.clone(),
            product: p.name.clone(),
            model: v
                .model_id
                .as_ref()
                .and_then(|id| models.iter().find(|m| &m.id == id))
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            version: v.version.clone(),
            end_of_support: ts_to_date(eos),
            announced: v.eos_announced_at.unwrap_or(eos),
            ended: eos <= now,
        });
    }
    out.sort_by(|a, b| {
        (a.end_of_support, &a.product, &a.model, &a.version).cmp(&(
            b.end_of_support,
            &b.product,
            &b.model,
            &b.version,
        ))
    });
    Ok(out)
}

/// Records, in the publication's transaction, which catalog versions the published document
/// names (public documents only: the pages built from this are public).
pub async fn record_publication(
    tx: &mut Tx<'_>,
    advisory_id: &str,
    doc: &AdvisoryDoc,
) -> Result<(), AppError> {
    let mut entries: Vec<(String, String, &str)> = Vec::new();
    if doc.tlp == Tlp::White {
        for p in &doc.products {
            let Some(product) = store::product_by_name(tx, &p.name).await? else {
                continue;
            };
            for v in &p.versions {
                for vuln in &doc.vulnerabilities {
                    if vuln.fixed.contains(&v.product_id) {
                        entries.push((product.id.clone(), v.version.clone(), "fixed"));
                    }
                    if vuln.known_affected.contains(&v.product_id) {
                        entries.push((product.id.clone(), v.version.clone(), "affected"));
                    }
                }
            }
        }
    }
    advisory_versions::replace(tx, advisory_id, &entries).await?;
    Ok(())
}
