//! The product catalog: products, their hardware models and their versions (releases). Reads
//! take a connection so a use case can read inside its own transaction; writes take the
//! transaction. Which cases and advisories name a product or version is answered here too
//! (`in_use`), without saying which (need-to-know).

use jiff::Timestamp;
use sqlx::{AnyConnection, Row, any::AnyRow};

use super::{Db, StorageError, case_write::Tx, new_id, rows};

/// A product as stored. `version_scheme` is `semver`, `dotted` or `declared`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub vendor: Option<String>,
    pub version_scheme: String,
    pub purl: Option<String>,
    pub description: Option<String>,
    pub created_at: Timestamp,
}

/// A hardware model (revision) of a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelRow {
    pub id: String,
    pub product_id: String,
    pub name: String,
    pub description: Option<String>,
    pub eos_at: Option<Timestamp>,
    pub eos_announced_at: Option<Timestamp>,
}

/// A firmware or software release of a product (of one model, or of the product as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub id: String,
    pub product_id: String,
    pub model_id: Option<String>,
    pub version: String,
    pub released_at: Option<Timestamp>,
    /// `supported`, `security_only` or `unsupported`.
    pub support_status: String,
    pub eos_at: Option<Timestamp>,
    pub eos_announced_at: Option<Timestamp>,
    /// Market codes separated by commas (`CN,DE,FR`).
    pub markets: String,
    /// Place in a `declared` order (1 = oldest); `None` under the other schemes.
    pub ordinal: Option<i64>,
}

fn ts(r: &AnyRow, column: &str) -> Result<Option<Timestamp>, StorageError> {
    r.try_get::<Option<i64>, _>(column)?
        .map(rows::from_micros)
        .transpose()
}

fn opt_micros(t: Option<Timestamp>) -> Option<i64> {
    t.map(rows::micros)
}

const PRODUCT_COLUMNS: &str =
    "id, slug, name, vendor, version_scheme, purl, description, created_at";

fn product(r: &AnyRow) -> Result<ProductRow, StorageError> {
    Ok(ProductRow {
        id: r.try_get("id")?,
        slug: r.try_get::<Option<String>, _>("slug")?.unwrap_or_default(),
        name: r.try_get("name")?,
        vendor: r.try_get("vendor")?,
        version_scheme: r
            .try_get::<Option<String>, _>("version_scheme")?
            .unwrap_or_else(|| "dotted".into()),
        purl: r.try_get("purl")?,
        description: r.try_get("description")?,
        created_at: rows::from_micros(r.try_get("created_at")?)?,
    })
}

const MODEL_COLUMNS: &str = "id, product_id, name, description, eos_at, eos_announced_at";

fn model(r: &AnyRow) -> Result<ModelRow, StorageError> {
    Ok(ModelRow {
        id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        eos_at: ts(r, "eos_at")?,
        eos_announced_at: ts(r, "eos_announced_at")?,
    })
}

const VERSION_COLUMNS: &str = "id, product_id, model_id, version, released_at, support_status, supported, eos_at, eos_announced_at, markets, ordinal";

fn version(r: &AnyRow) -> Result<VersionRow, StorageError> {
    let status: Option<String> = r.try_get("support_status")?;
    let supported: i64 = r.try_get("supported")?;
    Ok(VersionRow {
        id: r.try_get("id")?,
        product_id: r.try_get("product_id")?,
        model_id: r.try_get("model_id")?,
        version: r.try_get("version")?,
        released_at: ts(r, "released_at")?,
        support_status: status.unwrap_or_else(|| {
            if supported == 1 {
                "supported".into()
            } else {
                "unsupported".into()
            }
        }),
        eos_at: ts(r, "eos_at")?,
        eos_announced_at: ts(r, "eos_announced_at")?,
        markets: r
            .try_get::<Option<String>, _>("markets")?
            .unwrap_or_default(),
        ordinal: r.try_get("ordinal")?,
    })
}

/// Products by name, a page of them, and how many there are.
pub async fn product_page(
    conn: &mut AnyConnection,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ProductRow>, i64), StorageError> {
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM products")
        .fetch_one(&mut *conn)
        .await?;
    let sql =
        format!("SELECT {PRODUCT_COLUMNS} FROM products ORDER BY name, id LIMIT $1 OFFSET $2");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    Ok((rows.iter().map(product).collect::<Result<_, _>>()?, total))
}

/// Every product, by name.
pub async fn all_products(conn: &mut AnyConnection) -> Result<Vec<ProductRow>, StorageError> {
    Ok(product_page(conn, i64::MAX, 0).await?.0)
}

/// A product by slug or id.
pub async fn product_by_key(
    conn: &mut AnyConnection,
    key: &str,
) -> Result<Option<ProductRow>, StorageError> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE slug = $1 OR id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(product).transpose()
}

pub async fn product_by_name(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<ProductRow>, StorageError> {
    let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE name = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(product).transpose()
}

/// The models of a product (all products when `product_id` is `None`), by name.
pub async fn models(
    conn: &mut AnyConnection,
    product_id: Option<&str>,
) -> Result<Vec<ModelRow>, StorageError> {
    let sql = format!(
        "SELECT {MODEL_COLUMNS} FROM product_models WHERE ($1 = '' OR product_id = $1) ORDER BY name, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(product_id.unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(model).collect()
}

/// The versions of a product (all products when `product_id` is `None`), in no useful order:
/// the application sorts them under the product's scheme.
pub async fn versions(
    conn: &mut AnyConnection,
    product_id: Option<&str>,
) -> Result<Vec<VersionRow>, StorageError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM product_versions WHERE ($1 = '' OR product_id = $1) ORDER BY version, id"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(product_id.unwrap_or(""))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(version).collect()
}

/// Versions whose end of support is announced, with their products, soonest end first.
pub async fn versions_with_eos(conn: &mut AnyConnection) -> Result<Vec<VersionRow>, StorageError> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM product_versions WHERE eos_at IS NOT NULL ORDER BY eos_at, version"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(version).collect()
}

pub async fn insert_product(tx: &mut Tx<'_>, p: &ProductRow) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO products (id, slug, name, vendor, version_scheme, purl, description, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&p.id)
    .bind(&p.slug)
    .bind(&p.name)
    .bind(p.vendor.as_deref())
    .bind(&p.version_scheme)
    .bind(p.purl.as_deref())
    .bind(p.description.as_deref())
    .bind(rows::micros(p.created_at))
    .execute(&mut **tx)
    .await
    .map_err(duplicate("a product with this name or slug"))?;
    Ok(())
}

pub async fn update_product(tx: &mut Tx<'_>, p: &ProductRow) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE products SET slug = $2, name = $3, vendor = $4, version_scheme = $5, purl = $6, description = $7
         WHERE id = $1",
    )
    .bind(&p.id)
    .bind(&p.slug)
    .bind(&p.name)
    .bind(p.vendor.as_deref())
    .bind(&p.version_scheme)
    .bind(p.purl.as_deref())
    .bind(p.description.as_deref())
    .execute(&mut **tx)
    .await
    .map_err(duplicate("a product with this name or slug"))?;
    Ok(())
}

/// Keeps what cases say about a renamed product in step with the catalog.
pub async fn rename_product_references(
    tx: &mut Tx<'_>,
    product_id: &str,
    old: &str,
    new: &str,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE cases SET product = $1 WHERE product_id = $2")
        .bind(new)
        .bind(product_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE case_versions SET product = $1 WHERE product = $2")
        .bind(new)
        .bind(old)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Deletes a product with its models and versions.
pub async fn delete_product(tx: &mut Tx<'_>, id: &str) -> Result<(), StorageError> {
    for sql in [
        "DELETE FROM product_versions WHERE product_id = $1",
        "DELETE FROM product_models WHERE product_id = $1",
        "DELETE FROM products WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Whether any report, case, grant or published advisory refers to the product.
pub async fn product_in_use(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
) -> Result<bool, StorageError> {
    let used: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM reports WHERE product_id = $1)
            OR EXISTS (SELECT 1 FROM cases WHERE product_id = $1)
            OR EXISTS (SELECT 1 FROM grants WHERE product_id = $1)
            OR EXISTS (SELECT 1 FROM case_versions WHERE product = $2)
            OR EXISTS (SELECT 1 FROM advisory_versions WHERE product_id = $1) THEN 1 ELSE 0 END",
    )
    .bind(id)
    .bind(name)
    .fetch_one(&mut *conn)
    .await?;
    Ok(used == 1)
}

/// Whether a case names the version (as a version, not through a range) or a published
/// advisory lists it.
pub async fn version_in_use(
    conn: &mut AnyConnection,
    product: &ProductRow,
    version: &str,
) -> Result<bool, StorageError> {
    let used: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM case_versions WHERE product = $1 AND version = $2 AND is_range = 0)
            OR EXISTS (SELECT 1 FROM advisory_versions WHERE product_id = $3 AND version = $2) THEN 1 ELSE 0 END",
    )
    .bind(&product.name)
    .bind(version)
    .bind(&product.id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(used == 1)
}

/// The ranges cases record for a product (their bounds may name declared versions).
pub async fn case_ranges(
    conn: &mut AnyConnection,
    product_name: &str,
) -> Result<Vec<String>, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT version FROM case_versions WHERE product = $1 AND is_range = 1",
    )
    .bind(product_name)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn insert_model(tx: &mut Tx<'_>, m: &ModelRow) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO product_models (id, product_id, name, description, eos_at, eos_announced_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&m.id)
    .bind(&m.product_id)
    .bind(&m.name)
    .bind(m.description.as_deref())
    .bind(opt_micros(m.eos_at))
    .bind(opt_micros(m.eos_announced_at))
    .execute(&mut **tx)
    .await
    .map_err(duplicate("a model with this name"))?;
    Ok(())
}

pub async fn update_model(tx: &mut Tx<'_>, m: &ModelRow) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE product_models SET name = $2, description = $3, eos_at = $4, eos_announced_at = $5 WHERE id = $1",
    )
    .bind(&m.id)
    .bind(&m.name)
    .bind(m.description.as_deref())
    .bind(opt_micros(m.eos_at))
    .bind(opt_micros(m.eos_announced_at))
    .execute(&mut **tx)
    .await
    .map_err(duplicate("a model with this name"))?;
    Ok(())
}

pub async fn delete_model(tx: &mut Tx<'_>, id: &str) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM product_models WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn insert_version(tx: &mut Tx<'_>, v: &VersionRow) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO product_versions (id, product_id, model_id, version, released_at, supported, support_status,
            eos_at, eos_announced_at, markets, ordinal) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&v.id)
    .bind(&v.product_id)
    .bind(v.model_id.as_deref())
    .bind(&v.version)
    .bind(opt_micros(v.released_at))
    .bind(rows::flag(v.support_status != "unsupported"))
    .bind(&v.support_status)
    .bind(opt_micros(v.eos_at))
    .bind(opt_micros(v.eos_announced_at))
    .bind(&v.markets)
    .bind(v.ordinal)
    .execute(&mut **tx)
    .await
    .map_err(duplicate("this version of this model"))?;
    Ok(())
}

pub async fn update_version(tx: &mut Tx<'_>, v: &VersionRow) -> Result<(), StorageError> {
    sqlx::query(
        "UPDATE product_versions SET model_id = $2, version = $3, released_at = $4, supported = $5, support_status = $6,
            eos_at = $7, eos_announced_at = $8, markets = $9, ordinal = $10 WHERE id = $1",
    )
    .bind(&v.id)
    .bind(v.model_id.as_deref())
    .bind(&v.version)
    .bind(opt_micros(v.released_at))
    .bind(rows::flag(v.support_status != "unsupported"))
    .bind(&v.support_status)
    .bind(opt_micros(v.eos_at))
    .bind(opt_micros(v.eos_announced_at))
    .bind(&v.markets)
    .bind(v.ordinal)
    .execute(&mut **tx)
    .await
    .map_err(duplicate("this version of this model"))?;
    Ok(())
}

pub async fn delete_version(tx: &mut Tx<'_>, id: &str) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM product_versions WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Sets the declared place of every version of a product with the given text.
pub async fn set_ordinal(
    tx: &mut Tx<'_>,
    product_id: &str,
    version: &str,
    ordinal: Option<i64>,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE product_versions SET ordinal = $3 WHERE product_id = $1 AND version = $2")
        .bind(product_id)
        .bind(version)
        .bind(ordinal)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Maps a unique violation to [`StorageError::Duplicate`].
fn duplicate(what: &'static str) -> impl Fn(sqlx::Error) -> StorageError {
    move |e| match e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StorageError::Duplicate(what),
        other => StorageError::Database(other),
    }
}

/// The catalog as the report form offers it: product names with their model and version names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    pub id: String,
    pub name: String,
    pub models: Vec<String>,
    pub versions: Vec<String>,
}

pub async fn products(db: &Db) -> Result<Vec<CatalogProduct>, StorageError> {
    let mut conn = db.pool().acquire().await?;
    let products = all_products(&mut conn).await?;
    let models = models(&mut conn, None).await?;
    let versions = versions(&mut conn, None).await?;
    Ok(products
        .into_iter()
        .map(|p| CatalogProduct {
            models: models
                .iter()
                .filter(|m| m.product_id == p.id)
                .map(|m| m.name.clone())
                .collect(),
            versions: versions
                .iter()
                .filter(|v| v.product_id == p.id)
                .map(|v| v.version.clone())
                .collect(),
            name: p.name,
            id: p.id,
        })
        .collect())
}

/// A fresh id for a catalog row.
pub fn fresh_id() -> String {
    new_id()
}
