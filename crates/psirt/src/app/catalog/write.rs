//! Creating, changing and deleting products, models and versions: each one transaction with
//! its audit event. Invalid fields → [`AppError::Invalid`] naming each; a taken name →
//! [`AppError::Exists`]; deleting or renaming what a case or advisory names → [`AppError::InUse`].

use jiff::Timestamp;
use psirt_domain::{
    catalog::{VersionRange, VersionScheme},
    report::FieldErrors,
};
use sqlx::AnyConnection;

use super::{
    Loaded, ModelInput, ModelView, ProductDetail, ProductInput, ProductVersionInput,
    ProductVersionView, check, date_to_ts, need_write, order_of,
};
use crate::{
    app::{App, AppError, Staff},
    storage::{
        StorageError, audit,
        case_write::Tx,
        catalog::{self as store, ModelRow, ProductRow, VersionRow},
    },
};

fn exists(field: &str, message: String) -> AppError {
    let mut e = FieldErrors::default();
    e.push(field, "duplicate", message);
    AppError::Exists(e)
}

async fn begin(app: &App) -> Result<Tx<'static>, AppError> {
    Ok(app.db.pool().begin().await.map_err(StorageError::from)?)
}

async fn finish(
    mut tx: Tx<'_>,
    staff_id: &str,
    action: &str,
    now: Timestamp,
    detail: serde_json::Value,
) -> Result<(), AppError> {
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: staff_id,
            action,
            case_id: None,
            detail,
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(())
}

/// Applies `input` to `row` (a new product when `row.id` is empty), checking every field.
pub(super) async fn apply_product(
    conn: &mut AnyConnection,
    row: &mut ProductRow,
    input: &ProductInput,
    prefix: &str,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    let creating = row.id.is_empty();
    let field = |name: &str| format!("{prefix}{name}");
    match (&input.name, creating) {
        (Some(n), _) => {
            if let Some(n) = check::name(&mut errors, &field("name"), n) {
                row.name = n;
            }
        }
        (None, true) => errors.push(field("name"), "required", "give a name"),
        (None, false) => {}
    }
    match &input.slug {
        Some(s) => {
            if let Some(s) = check::slug(&mut errors, &field("slug"), s) {
                row.slug = s;
            }
        }
        None if creating && input.name.is_some() => {
            row.slug = check::slug_from(&row.name);
            if row.slug.is_empty() {
                errors.push(
                    field("slug"),
                    "required",
                    "the name has no ASCII letters or digits: give a slug",
                );
            }
        }
        None => {}
    }
    if let Some(v) = &input.vendor
        && let Some(v) = check::optional(&mut errors, &field("vendor"), v, check::NAME_MAX, true)
    {
        row.vendor = v;
    }
    if let Some(d) = &input.description
        && let Some(d) = check::optional(
            &mut errors,
            &field("description"),
            d,
            check::DESCRIPTION_MAX,
            false,
        )
    {
        row.description = d;
    }
    if let Some(p) = &input.purl
        && let Some(p) = check::purl(&mut errors, &field("purl"), p)
    {
        row.purl = p;
    }
    if let Some(s) = &input.version_scheme
        && let Some(s) = check::scheme(&mut errors, &field("version_scheme"), s)
    {
        row.version_scheme = s.as_str().to_owned();
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    for other in store::all_products(conn).await? {
        if other.id == row.id {
            continue;
        }
        if other.name == row.name {
            return Err(exists(
                &field("name"),
                format!("a product named {:?} exists", row.name),
            ));
        }
        if other.slug == row.slug {
            return Err(exists(
                &field("slug"),
                format!("the slug {:?} is taken", row.slug),
            ));
        }
    }
    Ok(())
}

/// Checks the versions of a product under its (possibly new) scheme and applies a declared
/// order; returns the ordinals to store, by version text.
pub(super) fn ordinals(
    product: &ProductRow,
    versions: &[VersionRow],
    previous_scheme: &str,
    declared_order: Option<&[String]>,
    ranges: &[String],
    prefix: &str,
) -> Result<Vec<(String, Option<i64>)>, AppError> {
    let mut errors = FieldErrors::default();
    let scheme = VersionScheme::parse(&product.version_scheme).unwrap_or(VersionScheme::Dotted);
    let mut distinct: Vec<String> = Vec::new();
    for v in versions {
        if !distinct.contains(&v.version) {
            distinct.push(v.version.clone());
        }
    }
    let bad: Vec<&str> = distinct
        .iter()
        .filter(|v| scheme.check(v).is_err())
        .map(String::as_str)
        .collect();
    if !bad.is_empty() {
        errors.push(
            format!("{prefix}version_scheme"),
            "invalid_version",
            format!(
                "these versions do not read under {}: {}",
                scheme.as_str(),
                bad.join(", ")
            ),
        );
    }
    let list: Vec<String> = match (scheme, declared_order) {
        (VersionScheme::Declared, Some(order)) => {
            let missing: Vec<&str> = distinct
                .iter()
                .filter(|v| !order.contains(v))
                .map(String::as_str)
                .collect();
            let mut seen: Vec<&String> = Vec::new();
            let unknown: Vec<&str> = order
                .iter()
                .filter(|v| {
                    let twice = seen.contains(v);
                    seen.push(v);
                    twice || !distinct.contains(v)
                })
                .map(String::as_str)
                .collect();
            if !missing.is_empty() || !unknown.is_empty() {
                errors.push(
                    format!("{prefix}declared_order"),
                    "not_a_permutation",
                    format!(
                        "list every version of the product once; missing: [{}], unknown or repeated: [{}]",
                        missing.join(", "),
                        unknown.join(", ")
                    ),
                );
            }
            order.to_vec()
        }
        (VersionScheme::Declared, None) => {
            // Keep the order the versions had (under the previous scheme).
            let mut before = product.clone();
            before.version_scheme = previous_scheme.to_owned();
            let order = order_of(&before, versions);
            let mut list = distinct.clone();
            order.sort_by_key(&mut list, String::as_str);
            list
        }
        (_, Some(_)) => {
            errors.push(
                format!("{prefix}declared_order"),
                "invalid",
                "a declared order is given only with the declared version scheme",
            );
            Vec::new()
        }
        (_, None) => Vec::new(),
    };
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let order = psirt_domain::catalog::VersionOrder::new(scheme, list.clone());
    for r in ranges {
        if VersionRange::parse(r, &order).is_err() {
            errors.push(
                format!("{prefix}version_scheme"),
                "invalid_range",
                format!("a case records the range {r:?}, which would not read under this order"),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(distinct
        .into_iter()
        .map(|v| {
            let place = list
                .iter()
                .position(|l| *l == v)
                .and_then(|p| i64::try_from(p + 1).ok());
            (v, place)
        })
        .collect())
}

pub async fn create_product(
    app: &App,
    staff: &Staff,
    input: ProductInput,
) -> Result<ProductDetail, AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut row = new_product_row(now);
    let mut tx = begin(app).await?;
    apply_product(&mut tx, &mut row, &input, "").await?;
    if input.declared_order.as_ref().is_some_and(|o| !o.is_empty()) {
        let mut e = FieldErrors::default();
        e.push(
            "declared_order",
            "not_a_permutation",
            "a new product has no versions yet: add them, they are declared in the order added",
        );
        return Err(e.into());
    }
    row.id = store::fresh_id();
    store::insert_product(&mut tx, &row).await?;
    let detail = serde_json::json!({"product": row.id, "after": input});
    finish(tx, &staff.user_id, "catalog.product.create", now, detail).await?;
    super::get_product(app, staff, &row.id).await
}

pub async fn update_product(
    app: &App,
    staff: &Staff,
    key: &str,
    input: ProductInput,
) -> Result<ProductDetail, AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let before = loaded.product.clone();
    let mut row = before.clone();
    apply_product(&mut tx, &mut row, &input, "").await?;
    if row.version_scheme != before.version_scheme || input.declared_order.is_some() {
        let ranges = store::case_ranges(&mut tx, &before.name).await?;
        let places = ordinals(
            &row,
            &loaded.versions,
            &before.version_scheme,
            input.declared_order.as_deref(),
            &ranges,
            "",
        )?;
        for (version, place) in places {
            store::set_ordinal(&mut tx, &row.id, &version, place).await?;
        }
    }
    store::update_product(&mut tx, &row).await?;
    if row.name != before.name {
        store::rename_product_references(&mut tx, &row.id, &before.name, &row.name).await?;
    }
    let detail = serde_json::json!({"product": row.id, "before": {"name": before.name, "slug": before.slug,
        "version_scheme": before.version_scheme}, "after": input});
    finish(tx, &staff.user_id, "catalog.product.update", now, detail).await?;
    super::get_product(app, staff, &row.id).await
}

pub async fn delete_product(app: &App, staff: &Staff, key: &str) -> Result<(), AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let p = &loaded.product;
    if store::product_in_use(&mut tx, &p.id, &p.name).await? {
        return Err(AppError::InUse(format!(
            "{} is named by reports, cases, grants or published advisories: it stays in the catalog",
            p.name
        )));
    }
    store::delete_product(&mut tx, &p.id).await?;
    let detail = serde_json::json!({"product": p.id, "name": p.name, "slug": p.slug});
    finish(tx, &staff.user_id, "catalog.product.delete", now, detail).await
}

/// Applies `input` to a model (a new one when `row.id` is empty).
pub(super) fn apply_model(
    loaded: &Loaded,
    row: &mut ModelRow,
    input: &ModelInput,
    prefix: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    let field = |name: &str| format!("{prefix}{name}");
    match (&input.name, row.id.is_empty()) {
        (Some(n), _) => {
            if let Some(n) = check::name(&mut errors, &field("name"), n) {
                row.name = n;
            }
        }
        (None, true) => errors.push(field("name"), "required", "give a name"),
        (None, false) => {}
    }
    if let Some(d) = &input.description
        && let Some(d) = check::optional(
            &mut errors,
            &field("description"),
            d,
            check::DESCRIPTION_MAX,
            false,
        )
    {
        row.description = d;
    }
    if let Some(d) = &input.end_of_support
        && let Some(d) = check::date(&mut errors, &field("end_of_support"), d)
    {
        let eos = d.and_then(date_to_ts);
        if eos != row.eos_at {
            row.eos_announced_at = eos.map(|_| now);
        }
        row.eos_at = eos;
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if loaded
        .models
        .iter()
        .any(|m| m.id != row.id && m.name == row.name)
    {
        return Err(exists(
            &field("name"),
            format!("{} already has a model {:?}", loaded.product.name, row.name),
        ));
    }
    Ok(())
}

pub async fn create_model(
    app: &App,
    staff: &Staff,
    key: &str,
    input: ModelInput,
) -> Result<ModelView, AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let mut row = new_model_row(&loaded.product.id);
    apply_model(&loaded, &mut row, &input, "", now)?;
    row.id = store::fresh_id();
    store::insert_model(&mut tx, &row).await?;
    let detail = serde_json::json!({"product": row.product_id, "model": row.id, "after": input});
    finish(tx, &staff.user_id, "catalog.model.create", now, detail).await?;
    super::get_model(app, staff, key, &row.id).await
}

pub async fn update_model(
    app: &App,
    staff: &Staff,
    key: &str,
    model: &str,
    input: ModelInput,
) -> Result<ModelView, AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let mut row = loaded
        .models
        .iter()
        .find(|m| m.id == model)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let before = row.name.clone();
    apply_model(&loaded, &mut row, &input, "", now)?;
    store::update_model(&mut tx, &row).await?;
    let detail = serde_json::json!({"model": row.id, "before": {"name": before}, "after": input});
    finish(tx, &staff.user_id, "catalog.model.update", now, detail).await?;
    super::get_model(app, staff, key, &row.id).await
}

pub async fn delete_model(
    app: &App,
    staff: &Staff,
    key: &str,
    model: &str,
) -> Result<(), AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let row = loaded
        .models
        .iter()
        .find(|m| m.id == model)
        .ok_or(AppError::NotFound)?;
    if loaded
        .versions
        .iter()
        .any(|v| v.model_id.as_deref() == Some(&row.id))
    {
        return Err(AppError::InUse(format!(
            "the model {} has versions: delete them or move them to another model first",
            row.name
        )));
    }
    store::delete_model(&mut tx, &row.id).await?;
    let detail = serde_json::json!({"model": row.id, "name": row.name});
    finish(tx, &staff.user_id, "catalog.model.delete", now, detail).await
}

/// Applies `input` to a version (a new one when `row.id` is empty).
pub(super) fn apply_version(
    loaded: &Loaded,
    row: &mut VersionRow,
    input: &ProductVersionInput,
    prefix: &str,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    let field = |name: &str| format!("{prefix}{name}");
    let scheme =
        VersionScheme::parse(&loaded.product.version_scheme).unwrap_or(VersionScheme::Dotted);
    match (&input.version, row.id.is_empty()) {
        (Some(v), _) => {
            if let Some(v) = check::name(&mut errors, &field("version"), v) {
                if v.starts_with(['<', '>', '=']) || v.contains(',') {
                    errors.push(
                        field("version"),
                        "invalid_version",
                        "a version cannot start with <, > or = nor contain a comma (those read as ranges)",
                    );
                } else if let Err(e) = scheme.check(&v) {
                    errors.push(field("version"), "invalid_version", e.to_string());
                } else {
                    row.version = v;
                }
            }
        }
        (None, true) => errors.push(field("version"), "required", "give the version"),
        (None, false) => {}
    }
    if let Some(m) = &input.model {
        let m = m.trim();
        if m.is_empty() {
            row.model_id = None;
        } else {
            match loaded.models.iter().find(|x| x.name == m || x.id == m) {
                Some(model) => row.model_id = Some(model.id.clone()),
                None => errors.push(
                    field("model"),
                    "unknown_model",
                    format!("{} has no model {m:?}", loaded.product.name),
                ),
            }
        }
    }
    if let Some(d) = &input.released
        && let Some(d) = check::date(&mut errors, &field("released"), d)
    {
        row.released_at = d.and_then(date_to_ts);
    }
    if let Some(s) = &input.support
        && let Some(s) = check::support(&mut errors, &field("support"), s)
    {
        row.support_status = s.as_str().to_owned();
    }
    if let Some(d) = &input.end_of_support
        && let Some(d) = check::date(&mut errors, &field("end_of_support"), d)
    {
        let eos = d.and_then(date_to_ts);
        if eos != row.eos_at {
            row.eos_announced_at = eos.map(|_| now);
        }
        row.eos_at = eos;
    }
    if let (Some(eos), Some(released)) = (row.eos_at, row.released_at)
        && eos < released
        && errors.is_empty()
    {
        errors.push(
            field("end_of_support"),
            "eos_before_release",
            "the end of support cannot come before the release",
        );
    }
    if let Some(m) = &input.markets
        && let Some(m) = check::markets(&mut errors, &field("markets"), m)
    {
        row.markets = m;
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    if loaded
        .versions
        .iter()
        .any(|v| v.id != row.id && v.version == row.version && v.model_id == row.model_id)
    {
        return Err(exists(
            &field("version"),
            format!(
                "{} already has version {:?} for this model",
                loaded.product.name, row.version
            ),
        ));
    }
    if scheme == VersionScheme::Declared && row.ordinal.is_none() {
        row.ordinal = Some(
            loaded
                .versions
                .iter()
                .find(|v| v.version == row.version)
                .and_then(|v| v.ordinal)
                .unwrap_or_else(|| {
                    loaded
                        .versions
                        .iter()
                        .filter_map(|v| v.ordinal)
                        .max()
                        .unwrap_or(0)
                        + 1
                }),
        );
    }
    Ok(())
}

/// A product not yet stored (empty id), created `now`.
pub(super) fn new_product_row(now: Timestamp) -> ProductRow {
    ProductRow {
        id: String::new(),
        slug: String::new(),
        name: String::new(),
        vendor: None,
        version_scheme: VersionScheme::Dotted.as_str().to_owned(),
        purl: None,
        description: None,
        created_at: now,
    }
}

/// A model not yet stored (empty id).
pub(super) fn new_model_row(product_id: &str) -> ModelRow {
    ModelRow {
        id: String::new(),
        product_id: product_id.to_owned(),
        name: String::new(),
        description: None,
        eos_at: None,
        eos_announced_at: None,
    }
}

pub(super) fn new_version_row(product_id: &str) -> VersionRow {
    VersionRow {
        id: String::new(),
        product_id: product_id.to_owned(),
        model_id: None,
        version: String::new(),
        released_at: None,
        support_status: "supported".into(),
        eos_at: None,
        eos_announced_at: None,
        markets: String::new(),
        ordinal: None,
    }
}

pub async fn create_version(
    app: &App,
    staff: &Staff,
    key: &str,
    input: ProductVersionInput,
) -> Result<ProductVersionView, AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let mut row = new_version_row(&loaded.product.id);
    apply_version(&loaded, &mut row, &input, "", now)?;
    row.id = store::fresh_id();
    store::insert_version(&mut tx, &row).await?;
    let detail = serde_json::json!({"product": row.product_id, "version": row.id, "after": input});
    finish(tx, &staff.user_id, "catalog.version.create", now, detail).await?;
    super::get_version(app, staff, key, &row.id).await
}

/// Whether a case or published advisory names this version (directly, or as the bound of a
/// range under a declared order).
async fn version_in_use(
    conn: &mut AnyConnection,
    loaded: &Loaded,
    version: &str,
) -> Result<bool, AppError> {
    if loaded
        .versions
        .iter()
        .filter(|v| v.version == version)
        .count()
        > 1
    {
        // Another model keeps the same version text: what cases say still resolves.
        return Ok(false);
    }
    if store::version_in_use(conn, &loaded.product, version).await? {
        return Ok(true);
    }
    if loaded.product.version_scheme == VersionScheme::Declared.as_str() {
        let order = loaded.order();
        for r in store::case_ranges(conn, &loaded.product.name).await? {
            if VersionRange::parse(&r, &order)
                .is_ok_and(|range| range.bounds().iter().any(|b| b.version == version))
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

pub async fn update_version(
    app: &App,
    staff: &Staff,
    key: &str,
    id: &str,
    input: ProductVersionInput,
) -> Result<ProductVersionView, AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let mut row = loaded
        .versions
        .iter()
        .find(|v| v.id == id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    let before = row.clone();
    apply_version(&loaded, &mut row, &input, "", now)?;
    if row.version != before.version {
        if version_in_use(&mut tx, &loaded, &before.version).await? {
            return Err(AppError::InUse(format!(
                "version {} is named by a case or a published advisory: it cannot be renamed",
                before.version
            )));
        }
        if loaded.product.version_scheme == VersionScheme::Declared.as_str() {
            row.ordinal = before.ordinal;
        }
    }
    store::update_version(&mut tx, &row).await?;
    let detail = serde_json::json!({"version": row.id, "before": {"version": before.version}, "after": input});
    finish(tx, &staff.user_id, "catalog.version.update", now, detail).await?;
    super::get_version(app, staff, key, &row.id).await
}

pub async fn delete_version(app: &App, staff: &Staff, key: &str, id: &str) -> Result<(), AppError> {
    need_write(staff)?;
    let now = app.clock.now();
    let mut tx = begin(app).await?;
    let loaded = Loaded::read(&mut tx, key).await?;
    let row = loaded
        .versions
        .iter()
        .find(|v| v.id == id)
        .ok_or(AppError::NotFound)?;
    if version_in_use(&mut tx, &loaded, &row.version).await? {
        return Err(AppError::InUse(format!(
            "version {} is named by a case or a published advisory: it stays in the catalog",
            row.version
        )));
    }
    store::delete_version(&mut tx, &row.id).await?;
    let detail = serde_json::json!({"version": row.id, "text": row.version});
    finish(tx, &staff.user_id, "catalog.version.delete", now, detail).await
}
