//! What a case's affected and fixed entries mean against the catalog: a version of a catalog
//! product must exist there; a range (`>= 1.2.0, < 1.4.1`) reads under the product's version
//! order and stands for the catalog versions it holds. Products outside the catalog (free text
//! from a report) keep plain versions only.

use std::collections::HashMap;

use psirt_domain::{catalog::VersionRange, report::FieldErrors};
use sqlx::AnyConnection;

use super::{Loaded, sorted};
use crate::{
    app::AppError,
    storage::catalog::{self as store, VersionRow},
};

/// Whether an entry's text is a range rather than one version.
pub fn is_range(text: &str) -> bool {
    let t = text.trim();
    t.starts_with(['<', '>', '=']) || t.contains(',')
}

/// Catalog products by name, each read once.
#[derive(Default)]
pub struct Products {
    by_name: HashMap<String, Option<Loaded>>,
}

impl Products {
    pub async fn get(
        &mut self,
        conn: &mut AnyConnection,
        name: &str,
    ) -> Result<Option<&Loaded>, AppError> {
        if !self.by_name.contains_key(name) {
            let loaded = match store::product_by_name(conn, name).await? {
                Some(p) => {
                    let models = store::models(conn, Some(&p.id)).await?;
                    let versions = store::versions(conn, Some(&p.id)).await?;
                    Some(Loaded {
                        versions: sorted(&p, versions, &models),
                        product: p,
                        models,
                    })
                }
                None => None,
            };
            self.by_name.insert(name.to_owned(), loaded);
        }
        Ok(self.by_name.get(name).and_then(Option::as_ref))
    }
}

/// Checks one entry; returns its canonical text and whether it is a range.
pub fn check_entry(
    product: Option<&Loaded>,
    product_name: &str,
    text: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<(String, bool)> {
    let text = text.trim();
    match (product, is_range(text)) {
        (None, false) => Some((text.to_owned(), false)),
        (None, true) => {
            errors.push(
                field,
                "invalid_range",
                format!("a range needs a product of the catalog (its version order); {product_name:?} is not one"),
            );
            None
        }
        (Some(p), false) => {
            if p.versions.iter().any(|v| v.version == text) {
                Some((text.to_owned(), false))
            } else {
                errors.push(
                    field,
                    "unknown_version",
                    format!(
                        "{product_name} has no version {text:?} in the catalog: add it there first"
                    ),
                );
                None
            }
        }
        (Some(p), true) => {
            let order = p.order();
            match VersionRange::parse(text, &order) {
                Err(e) => {
                    errors.push(field, "invalid_range", e.to_string());
                    None
                }
                Ok(range) if expand_range(p, &range).is_empty() => {
                    errors.push(
                        field,
                        "invalid_range",
                        format!("{range} holds no version of {product_name} in the catalog"),
                    );
                    None
                }
                Ok(range) => Some((range.to_string(), true)),
            }
        }
    }
}

fn expand_range<'a>(p: &'a Loaded, range: &VersionRange) -> Vec<&'a VersionRow> {
    let order = p.order();
    p.versions
        .iter()
        .filter(|v| range.contains(&order, &v.version).unwrap_or(false))
        .collect()
}

/// The catalog versions (of every model) an entry stands for, oldest first.
pub fn expand<'a>(p: &'a Loaded, text: &str, range: bool) -> Vec<&'a VersionRow> {
    if range {
        match VersionRange::parse(text, &p.order()) {
            Ok(r) => expand_range(p, &r),
            Err(_) => Vec::new(),
        }
    } else {
        p.versions.iter().filter(|v| v.version == text).collect()
    }
}
