//! The product catalog as far as intake needs it: products, models and versions to pick from.

use jiff::Timestamp;
use sqlx::Row;

use super::{Db, StorageError, new_id, rows};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogProduct {
    pub id: String,
    pub name: String,
    pub models: Vec<String>,
    pub versions: Vec<String>,
}

pub async fn products(db: &Db) -> Result<Vec<CatalogProduct>, StorageError> {
    let products = sqlx::query("SELECT id, name FROM products ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    let models = sqlx::query("SELECT product_id, name FROM product_models ORDER BY name")
        .fetch_all(db.pool())
        .await?;
    let versions = sqlx::query(
        "SELECT product_id, version FROM product_versions ORDER BY released_at, version",
    )
    .fetch_all(db.pool())
    .await?;
    let mut out = Vec::with_capacity(products.len());
    for p in &products {
        let id: String = p.try_get("id")?;
        let pick = |rows: &[sqlx::any::AnyRow], col: &str| -> Result<Vec<String>, StorageError> {
            let mut names = Vec::new();
            for r in rows {
                if r.try_get::<String, _>("product_id")? == id {
                    names.push(r.try_get(col)?);
                }
            }
            Ok(names)
        };
        out.push(CatalogProduct {
            name: p.try_get("name")?,
            models: pick(&models, "name")?,
            versions: pick(&versions, "version")?,
            id,
        });
    }
    Ok(out)
}

pub async fn add_product(db: &Db, name: &str, now: Timestamp) -> Result<String, StorageError> {
    let id = new_id();
    sqlx::query("INSERT INTO products (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(rows::micros(now))
        .execute(db.pool())
        .await?;
    Ok(id)
}

pub async fn add_model(db: &Db, product_id: &str, name: &str) -> Result<String, StorageError> {
    let id = new_id();
    sqlx::query("INSERT INTO product_models (id, product_id, name) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(product_id)
        .bind(name)
        .execute(db.pool())
        .await?;
    Ok(id)
}

pub async fn add_version(
    db: &Db,
    product_id: &str,
    model_id: Option<&str>,
    version: &str,
    released_at: Timestamp,
    supported: bool,
) -> Result<String, StorageError> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO product_versions (id, product_id, model_id, version, released_at, supported) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(product_id)
    .bind(model_id)
    .bind(version)
    .bind(rows::micros(released_at))
    .bind(rows::flag(supported))
    .execute(db.pool())
    .await?;
    Ok(id)
}
