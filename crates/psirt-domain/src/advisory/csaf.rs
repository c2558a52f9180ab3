//! CSAF 2.0 rendering: an [`AdvisoryDoc`] as a `csaf_security_advisory` (Security Advisory)
//! or a `csaf_informational_advisory` (Security Notice, which the profile forbids to carry
//! `vulnerabilities`, CSAF §4.5 and test 6.1.27.3).
//!
//! A document for which [`super::csaf_check::problems`] reports nothing is valid against the
//! CSAF 2.0 JSON schema and passes every mandatory test 6.1.x of csaf-validator-lib (checked by
//! `tests/advisory_formats.rs` and `.ci/validate-exports`).
//!
//! Choices the specification leaves open:
//! * Product tree: `vendor` → `product_name` → `product_version`; a product with hardware
//!   models becomes `vendor` → `product_family` → `product_name` (product and model) →
//!   `product_version`. Full product names read "vendor product [model] version"; each
//!   carries a purl (the catalog's, else `pkg:generic`, the same one OSV and OpenVEX use), so
//!   consumers can match the formats and recommended test 6.2.16 is met.
//! * CVSS v4.0: CSAF 2.0 has no field for it (2.1 adds `cvss_v4`), so the vector and its
//!   score go into a vulnerability note (category `other`, title "CVSS v4.0"), where readers
//!   see it and validators ignore it. CVSS v3.x goes into `scores` for the affected products.
//! * The organisation's own grade is `document.aggregate_severity`.
//! * A remediation without product ids applies to all known affected products (CSAF test
//!   6.1.29 forbids a remediation without a product reference).

use serde_json::{Map, Value, json};

use super::cvss_json;
use super::identifiers::{purl_or_generic, rfc3339};
use super::model::{AdvisoryDoc, DocKind, Product, ProductVersion, TrackingStatus, Vulnerability};

/// The TLP 1.0 definitions CSAF 2.0 links to.
pub const TLP_URL: &str = "https://www.first.org/tlp/";

/// The CSAF document for `doc` (see the module doc).
pub fn render(doc: &AdvisoryDoc) -> Value {
    let mut out = Map::new();
    out.insert("document".into(), document(doc));
    if doc.products.iter().any(|p| !p.versions.is_empty()) {
        out.insert(
            "product_tree".into(),
            json!({ "branches": product_tree(&doc.products) }),
        );
    }
    if doc.kind == DocKind::Advisory {
        let vulnerabilities: Vec<Value> = doc.vulnerabilities.iter().map(vulnerability).collect();
        out.insert("vulnerabilities".into(), Value::Array(vulnerabilities));
    }
    Value::Object(out)
}

/// `document.category` for a kind of document.
pub fn category(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Advisory => "csaf_security_advisory",
        DocKind::Notice => "csaf_informational_advisory",
    }
}

fn status(status: TrackingStatus) -> &'static str {
    match status {
        TrackingStatus::Draft => "draft",
        TrackingStatus::Interim => "interim",
        TrackingStatus::Final => "final",
    }
}

fn document(doc: &AdvisoryDoc) -> Value {
    let mut publisher = Map::new();
    publisher.insert("category".into(), json!("vendor"));
    publisher.insert("name".into(), json!(doc.publisher.name));
    publisher.insert("namespace".into(), json!(doc.publisher.namespace));
    if !doc.publisher.contact_details.trim().is_empty() {
        publisher.insert(
            "contact_details".into(),
            json!(doc.publisher.contact_details),
        );
    }

    let revisions: Vec<Value> = doc
        .revisions
        .iter()
        .map(|r| json!({ "number": r.number, "date": rfc3339(r.date), "summary": r.summary }))
        .collect();
    let tracking = json!({
        "id": doc.id,
        "status": status(doc.status),
        "version": doc.version(),
        "initial_release_date": rfc3339(doc.initial_release),
        "current_release_date": rfc3339(doc.current_release),
        "revision_history": revisions,
        "generator": { "engine": { "name": "psirt", "version": env!("CARGO_PKG_VERSION") } },
    });

    let mut out = Map::new();
    out.insert("category".into(), json!(category(doc.kind)));
    out.insert("csaf_version".into(), json!("2.0"));
    out.insert("title".into(), json!(doc.title));
    out.insert("lang".into(), json!(doc.language));
    out.insert("publisher".into(), Value::Object(publisher));
    out.insert("tracking".into(), tracking);
    out.insert(
        "distribution".into(),
        json!({ "tlp": { "label": doc.tlp.as_str(), "url": TLP_URL } }),
    );
    if let Some(grade) = doc.grade.as_deref().filter(|g| !g.trim().is_empty()) {
        out.insert("aggregate_severity".into(), json!({ "text": grade }));
    }
    let mut notes = vec![json!({ "category": "summary", "title": "Summary", "text": doc.summary })];
    if let Some(impact) = doc
        .business_impact
        .as_deref()
        .filter(|t| !t.trim().is_empty())
    {
        notes.push(json!({ "category": "general", "title": "Business impact", "text": impact }));
    }
    out.insert("notes".into(), Value::Array(notes));
    if !doc.references.is_empty() {
        let references: Vec<Value> = doc
            .references
            .iter()
            .map(|r| json!({ "category": reference_category(&r.category), "summary": r.summary, "url": r.url }))
            .collect();
        out.insert("references".into(), Value::Array(references));
    }
    if !doc.acknowledgments.is_empty() {
        out.insert(
            "acknowledgments".into(),
            json!([{ "names": doc.acknowledgments }]),
        );
    }
    Value::Object(out)
}

/// CSAF knows two reference categories: the document's own URL (`self`) and the rest.
fn reference_category(category: &str) -> &'static str {
    if category == "self" {
        "self"
    } else {
        "external"
    }
}

/// Vendors in order of first appearance, each with its products.
fn product_tree(products: &[Product]) -> Vec<Value> {
    let mut vendors: Vec<(&str, Vec<Value>)> = Vec::new();
    for product in products.iter().filter(|p| !p.versions.is_empty()) {
        let branch = product_branch(product);
        match vendors.iter_mut().find(|(v, _)| *v == product.vendor) {
            Some((_, branches)) => branches.push(branch),
            None => vendors.push((&product.vendor, vec![branch])),
        }
    }
    vendors
        .into_iter()
        .map(|(vendor, branches)| json!({ "category": "vendor", "name": vendor, "branches": branches }))
        .collect()
}

fn product_branch(product: &Product) -> Value {
    let models = product.models();
    if models.iter().all(Option::is_none) {
        let versions: Vec<Value> = product
            .versions
            .iter()
            .map(|v| version_leaf(product, v))
            .collect();
        return json!({ "category": "product_name", "name": product.name, "branches": versions });
    }
    let names: Vec<Value> = models
        .into_iter()
        .map(|model| {
            let versions: Vec<Value> = product
                .versions
                .iter()
                .filter(|v| v.model.as_deref() == model)
                .map(|v| version_leaf(product, v))
                .collect();
            let name = product.model_name(model);
            json!({ "category": "product_name", "name": name, "branches": versions })
        })
        .collect();
    json!({ "category": "product_family", "name": product.name, "branches": names })
}

fn version_leaf(product: &Product, version: &ProductVersion) -> Value {
    let mut full_name = format!("{} {}", product.vendor, product.name);
    if let Some(model) = &version.model {
        full_name.push(' ');
        full_name.push_str(model);
    }
    full_name.push(' ');
    full_name.push_str(&version.version);
    let mut leaf = Map::new();
    leaf.insert("name".into(), json!(full_name));
    leaf.insert("product_id".into(), json!(version.product_id));
    let purl = purl_or_generic(product, version);
    leaf.insert(
        "product_identification_helper".into(),
        json!({ "purl": purl }),
    );
    json!({ "category": "product_version", "name": version.version, "product": leaf })
}

/// The ids once each, in order (CSAF product id lists are `uniqueItems`).
pub(super) fn unique(ids: &[String]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(&id.as_str()) {
            out.push(id);
        }
    }
    out
}

fn vulnerability(v: &Vulnerability) -> Value {
    let mut out = Map::new();
    if let Some(cve) = &v.cve {
        out.insert("cve".into(), json!(cve));
    }
    if let Some((id, name)) = &v.cwe {
        out.insert("cwe".into(), json!({ "id": id, "name": name }));
    }
    out.insert(
        "ids".into(),
        json!([{ "system_name": "psirt case", "text": v.case_reference }]),
    );
    out.insert("title".into(), json!(v.title));
    let mut notes =
        vec![json!({ "category": "description", "title": "Description", "text": v.description })];
    if let Some(v4) = &v.cvss_v4_0 {
        let text = format!(
            "{} (CVSS-B {} {})",
            v4.as_str(),
            v4.base_score(),
            v4.base_severity().as_str()
        );
        notes.push(json!({ "category": "other", "title": "CVSS v4.0", "text": text }));
    }
    out.insert("notes".into(), Value::Array(notes));
    if let Some(date) = v.discovery_date {
        out.insert("discovery_date".into(), json!(rfc3339(date)));
    }
    if let Some(date) = v.release_date {
        out.insert("release_date".into(), json!(rfc3339(date)));
    }

    let affected = unique(&v.known_affected);
    let fixed = unique(&v.fixed);
    let mut status = Map::new();
    if !affected.is_empty() {
        status.insert("known_affected".into(), json!(affected));
    }
    if !fixed.is_empty() {
        status.insert("fixed".into(), json!(fixed));
    }
    out.insert("product_status".into(), Value::Object(status));

    let remediations: Vec<Value> = v
        .remediations
        .iter()
        .map(|r| {
            let ids = if r.product_ids.is_empty() {
                affected.clone()
            } else {
                unique(&r.product_ids)
            };
            let mut rem = Map::new();
            rem.insert("category".into(), json!(r.category.as_str()));
            rem.insert("details".into(), json!(r.details));
            if let Some(url) = r.url.as_deref().filter(|u| !u.trim().is_empty()) {
                rem.insert("url".into(), json!(url));
            }
            rem.insert("product_ids".into(), json!(ids));
            Value::Object(rem)
        })
        .collect();
    if !remediations.is_empty() {
        out.insert("remediations".into(), Value::Array(remediations));
    }

    if let Some(v3) = v.cvss_v3_1.as_ref().and_then(cvss_json::v3)
        && !affected.is_empty()
    {
        out.insert(
            "scores".into(),
            json!([{ "cvss_v3": v3, "products": affected }]),
        );
    }
    if !v.acknowledgments.is_empty() {
        out.insert(
            "acknowledgments".into(),
            json!([{ "names": v.acknowledgments }]),
        );
    }
    Value::Object(out)
}
