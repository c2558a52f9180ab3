//! CVE JSON 5.1 rendering: one vulnerability of an [`AdvisoryDoc`] as the CNA container that
//! CVE Services accepts ([`render_cna`], cvelib's `cna-published` schema) and as a whole
//! published CVE record ([`render_record`], the full 5.1.1 schema).
//!
//! Choices:
//! * `affected`: one entry per product (and hardware model) the vulnerability names, listing
//!   each affected version (`affected`) and each fixed version (`unaffected`) explicitly, with
//!   `defaultStatus: unknown` — the advisory names versions, not ranges, so the record claims
//!   nothing about versions it does not list.
//! * `metrics`: one entry with `cvssV3_1` (or `cvssV3_0`) and `cvssV4_0`, scenario `GENERAL`.
//! * `solutions` are the vendor fixes, `workarounds` the workarounds and mitigations.
//! * `credits` are the acknowledged reporters (type `reporter`: they told the PSIRT).
//! * The description language is the document's: CVE requires an English description, which
//!   [`super::csaf_check`] does not check (the lead's publication gate should).

use serde_json::{Map, Value, json};

use super::cvss_json;
use super::identifiers::rfc3339;
use super::model::{AdvisoryDoc, Product, RemediationCategory, Vulnerability};
use crate::cvss::Version;

/// Used when the publisher has no CVE Program UUID (see `Publisher::cve_org_id`).
pub const NIL_ORG_ID: &str = "00000000-0000-0000-0000-000000000000";

fn org_id(doc: &AdvisoryDoc) -> &str {
    doc.publisher
        .cve_org_id
        .as_deref()
        .filter(|id| !id.trim().is_empty())
        .unwrap_or(NIL_ORG_ID)
}

/// The CNA container for `vuln` of `doc`.
pub fn render_cna(doc: &AdvisoryDoc, vuln: &Vulnerability) -> Value {
    let lang = doc.language.as_str();
    let mut out = Map::new();
    out.insert(
        "providerMetadata".into(),
        json!({ "orgId": org_id(doc), "dateUpdated": rfc3339(doc.current_release) }),
    );
    out.insert("title".into(), json!(truncate(&vuln.title, 256)));
    out.insert(
        "datePublic".into(),
        json!(rfc3339(vuln.release_date.unwrap_or(doc.initial_release))),
    );
    out.insert(
        "descriptions".into(),
        json!([{ "lang": lang, "value": vuln.description }]),
    );
    out.insert("affected".into(), Value::Array(affected(doc, vuln)));
    if let Some((id, name)) = &vuln.cwe {
        let description = json!({ "lang": lang, "cweId": id, "description": format!("{id} {name}"), "type": "CWE" });
        out.insert(
            "problemTypes".into(),
            json!([{ "descriptions": [description] }]),
        );
    }
    let mut metric = Map::new();
    if let Some(v3) = &vuln.cvss_v3_1
        && let Some(json) = cvss_json::v3(v3)
    {
        let key = if v3.version() == Version::V3_0 {
            "cvssV3_0"
        } else {
            "cvssV3_1"
        };
        metric.insert(key.into(), json);
    }
    if let Some(json) = vuln.cvss_v4_0.as_ref().and_then(cvss_json::v4) {
        metric.insert("cvssV4_0".into(), json);
    }
    if !metric.is_empty() {
        metric.insert("format".into(), json!("CVSS"));
        metric.insert(
            "scenarios".into(),
            json!([{ "lang": lang, "value": "GENERAL" }]),
        );
        out.insert("metrics".into(), json!([metric]));
    }
    let texts = |wanted: &[RemediationCategory]| -> Vec<Value> {
        let mut texts: Vec<Value> = Vec::new();
        for r in vuln
            .remediations
            .iter()
            .filter(|r| wanted.contains(&r.category))
        {
            let text = json!({ "lang": lang, "value": r.details });
            if !texts.contains(&text) {
                texts.push(text);
            }
        }
        texts
    };
    let solutions = texts(&[RemediationCategory::VendorFix]);
    if !solutions.is_empty() {
        out.insert("solutions".into(), Value::Array(solutions));
    }
    let workarounds = texts(&[
        RemediationCategory::Workaround,
        RemediationCategory::Mitigation,
    ]);
    if !workarounds.is_empty() {
        out.insert("workarounds".into(), Value::Array(workarounds));
    }
    out.insert("references".into(), Value::Array(references(doc, vuln)));
    let mut credits: Vec<Value> = Vec::new();
    for name in &vuln.acknowledgments {
        let credit = json!({ "lang": lang, "value": name, "type": "reporter" });
        if !credits.contains(&credit) {
            credits.push(credit);
        }
    }
    if !credits.is_empty() {
        out.insert("credits".into(), Value::Array(credits));
    }
    out.insert(
        "source".into(),
        json!({ "advisory": doc.id, "discovery": "UNKNOWN" }),
    );
    Value::Object(out)
}

/// The whole published CVE record for `vuln`; `None` when it has no CVE id.
pub fn render_record(doc: &AdvisoryDoc, vuln: &Vulnerability) -> Option<Value> {
    let cve = vuln.cve.as_deref()?;
    Some(json!({
        "dataType": "CVE_RECORD",
        "dataVersion": "5.1",
        "cveMetadata": {
            "cveId": cve,
            "assignerOrgId": org_id(doc),
            "state": "PUBLISHED",
            "datePublished": rfc3339(vuln.release_date.unwrap_or(doc.initial_release)),
            "dateUpdated": rfc3339(doc.current_release),
        },
        "containers": { "cna": render_cna(doc, vuln) },
    }))
}

/// `(product, model)` pairs in catalog order, each with its `(version, status)` list.
fn affected(doc: &AdvisoryDoc, vuln: &Vulnerability) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for product in &doc.products {
        let models = product.models();
        for model in models {
            let versions = versions_of(product, model, vuln);
            if versions.is_empty() {
                continue;
            }
            let name = product.model_name(model);
            out.push(json!({
                "vendor": product.vendor,
                "product": name,
                "versions": versions,
                "defaultStatus": "unknown",
            }));
        }
    }
    out
}

fn versions_of(product: &Product, model: Option<&str>, vuln: &Vulnerability) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for v in product
        .versions
        .iter()
        .filter(|v| v.model.as_deref() == model)
    {
        let status = if vuln.known_affected.contains(&v.product_id) {
            "affected"
        } else if vuln.fixed.contains(&v.product_id) {
            "unaffected"
        } else {
            continue;
        };
        let entry = json!({ "version": v.version, "status": status });
        if !out.contains(&entry) {
            out.push(entry);
        }
    }
    out
}

/// The advisory's references (its own URL tagged `vendor-advisory`) and the remediations'
/// URLs (`patch` for vendor fixes, `mitigation` otherwise), each URL once.
fn references(doc: &AdvisoryDoc, vuln: &Vulnerability) -> Vec<Value> {
    let mut links: Vec<(&str, &str, &str)> = Vec::new();
    for r in &doc.references {
        let tag = if r.category == "self" {
            "vendor-advisory"
        } else {
            "related"
        };
        links.push((&r.url, &r.summary, tag));
    }
    for r in &vuln.remediations {
        if let Some(url) = r.url.as_deref() {
            let tag = if r.category == RemediationCategory::VendorFix {
                "patch"
            } else {
                "mitigation"
            };
            links.push((url, r.category.as_str(), tag));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (url, name, tag) in links {
        if url.trim().is_empty() || seen.contains(&url) {
            continue;
        }
        seen.push(url);
        let mut reference = Map::new();
        reference.insert("url".into(), json!(url));
        if !name.trim().is_empty() {
            reference.insert("name".into(), json!(truncate(name, 512)));
        }
        reference.insert("tags".into(), json!([tag]));
        out.push(Value::Object(reference));
    }
    out
}

/// At most `max` characters (CVE's `maxLength` counts characters).
fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
