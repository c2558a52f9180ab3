//! OSV rendering: one OSV record per vulnerability of a Security Advisory (notices carry no
//! vulnerabilities and yield none).
//!
//! Choices the OSV schema forces or leaves open:
//! * `id` is `x_` + the case reference (`x_PSIRT-2026-0001`): the schema only admits ids of
//!   registered databases or the `x_` prefix, and the case reference is stable across the
//!   advisories and revisions that mention the vulnerability. The CVE id is an alias; the
//!   advisory id is in `database_specific.advisory`.
//! * Firmware has no OSV ecosystem, and `package` requires one, so `affected` entries have no
//!   `package`: they list the affected `versions` explicitly and put vendor, product, model,
//!   the purls (`pkg:generic` where the catalog has none) and the fixed versions in
//!   `database_specific`. A `SEMVER` range (introduced at the lowest affected version, fixed
//!   at the lowest fixed one above every affected version) is added only where semantic
//!   versioning orders the versions as the catalog does: a product whose scheme is `semver`
//!   (pre-releases included), or plain `MAJOR.MINOR.PATCH` numbers under the `dotted` scheme
//!   or outside the catalog. A `declared` order (firmware without a scheme) never gets one:
//!   `versions` lists them, and `database_specific.version_scheme` says how they are ordered.
//! * `severity` holds the CVSS v3.x and v4.0 vectors (`CVSS_V3`, `CVSS_V4`).

use serde_json::{Map, Value, json};

use super::identifiers::{purl_or_generic, rfc3339};
use super::model::{AdvisoryDoc, DocKind, Product, ProductVersion, Vulnerability};
use crate::{
    catalog::{VersionKey, VersionOrder, VersionScheme},
    cvss::Version,
};

/// The OSV schema version the records follow.
pub const SCHEMA_VERSION: &str = "1.7.0";

/// One OSV record per vulnerability of `doc`.
pub fn render(doc: &AdvisoryDoc) -> Vec<Value> {
    if doc.kind == DocKind::Notice {
        return Vec::new();
    }
    doc.vulnerabilities.iter().map(|v| record(doc, v)).collect()
}

/// The OSV id of a vulnerability (see the module doc).
pub fn id(vuln: &Vulnerability) -> String {
    format!("x_{}", vuln.case_reference)
}

fn record(doc: &AdvisoryDoc, vuln: &Vulnerability) -> Value {
    let mut out = Map::new();
    out.insert("schema_version".into(), json!(SCHEMA_VERSION));
    out.insert("id".into(), json!(id(vuln)));
    out.insert("modified".into(), json!(rfc3339(doc.current_release)));
    out.insert(
        "published".into(),
        json!(rfc3339(vuln.release_date.unwrap_or(doc.initial_release))),
    );
    if let Some(cve) = &vuln.cve {
        out.insert("aliases".into(), json!([cve]));
    }
    out.insert("summary".into(), json!(vuln.title));
    out.insert("details".into(), json!(vuln.description));
    let mut severity = Vec::new();
    if let Some(v3) = vuln
        .cvss_v3_1
        .as_ref()
        .filter(|v| matches!(v.version(), Version::V3_0 | Version::V3_1))
    {
        severity.push(json!({ "type": "CVSS_V3", "score": v3.as_str() }));
    }
    if let Some(v4) = vuln
        .cvss_v4_0
        .as_ref()
        .filter(|v| v.version() == Version::V4_0)
    {
        severity.push(json!({ "type": "CVSS_V4", "score": v4.as_str() }));
    }
    if !severity.is_empty() {
        out.insert("severity".into(), Value::Array(severity));
    }
    out.insert("affected".into(), Value::Array(affected(doc, vuln)));
    let mut references = Vec::new();
    for r in &doc.references {
        let kind = if r.category == "self" {
            "ADVISORY"
        } else {
            "WEB"
        };
        references.push(json!({ "type": kind, "url": r.url }));
    }
    for url in vuln.remediations.iter().filter_map(|r| r.url.as_deref()) {
        let reference = json!({ "type": "WEB", "url": url });
        if !references.contains(&reference) {
            references.push(reference);
        }
    }
    if !references.is_empty() {
        out.insert("references".into(), Value::Array(references));
    }
    if !vuln.acknowledgments.is_empty() {
        let credits: Vec<Value> = vuln
            .acknowledgments
            .iter()
            .map(|n| json!({ "name": n, "type": "REPORTER" }))
            .collect();
        out.insert("credits".into(), Value::Array(credits));
    }
    let mut specific = Map::new();
    specific.insert("advisory".into(), json!(doc.id));
    if let Some(grade) = &doc.grade {
        specific.insert("grade".into(), json!(grade));
    }
    if let Some((id, _)) = &vuln.cwe {
        specific.insert("cwe_ids".into(), json!([id]));
    }
    out.insert("database_specific".into(), Value::Object(specific));
    Value::Object(out)
}

fn affected(doc: &AdvisoryDoc, vuln: &Vulnerability) -> Vec<Value> {
    let mut out = Vec::new();
    for product in &doc.products {
        let models = product.models();
        for model in models {
            let of_model = |ids: &[String]| -> Vec<&ProductVersion> {
                product
                    .versions
                    .iter()
                    .filter(|v| v.model.as_deref() == model && ids.contains(&v.product_id))
                    .collect()
            };
            let hit = of_model(&vuln.known_affected);
            if hit.is_empty() {
                continue;
            }
            let fixed = of_model(&vuln.fixed);
            out.push(affected_entry(product, model, &hit, &fixed));
        }
    }
    out
}

fn affected_entry(
    product: &Product,
    model: Option<&str>,
    hit: &[&ProductVersion],
    fixed: &[&ProductVersion],
) -> Value {
    let versions: Vec<&str> = hit.iter().map(|v| v.version.as_str()).collect();
    let mut entry = Map::new();
    entry.insert("versions".into(), json!(versions));
    if let Some(range) = semver_range(product.version_scheme, hit, fixed) {
        entry.insert("ranges".into(), json!([range]));
    }
    let purls: Vec<String> = hit.iter().map(|v| purl_or_generic(product, v)).collect();
    let fixed_versions: Vec<&str> = fixed.iter().map(|v| v.version.as_str()).collect();
    let mut specific = Map::new();
    specific.insert("vendor".into(), json!(product.vendor));
    specific.insert("product".into(), json!(product.name));
    if let Some(model) = model {
        specific.insert("model".into(), json!(model));
    }
    specific.insert("purls".into(), json!(purls));
    if let Some(scheme) = product.version_scheme {
        specific.insert("version_scheme".into(), json!(scheme.as_str()));
    }
    if !fixed_versions.is_empty() {
        specific.insert("fixed_versions".into(), json!(fixed_versions));
    }
    entry.insert("database_specific".into(), Value::Object(specific));
    Value::Object(entry)
}

/// `MAJOR.MINOR.PATCH` with plain numbers, else `None`.
fn semver(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.split('.').map(|p| {
        if p.is_empty() || (p.len() > 1 && p.starts_with('0')) {
            None
        } else {
            p.parse::<u64>().ok()
        }
    });
    let triple = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(triple)
}

fn semver_range(
    scheme: Option<VersionScheme>,
    hit: &[&ProductVersion],
    fixed: &[&ProductVersion],
) -> Option<Value> {
    let all = || hit.iter().chain(fixed).map(|v| v.version.as_str());
    let order = match scheme {
        Some(VersionScheme::Declared) => return None,
        Some(VersionScheme::Semver) => VersionOrder::new(VersionScheme::Semver, Vec::new()),
        // Plain numeric triples order the same as dotted numbers and as semantic versions.
        None | Some(VersionScheme::Dotted) => {
            if !all().all(|v| semver(v).is_some()) {
                return None;
            }
            VersionOrder::new(VersionScheme::Semver, Vec::new())
        }
    };
    let key = |v: &str| order.key(v).ok();
    let hit: Vec<(VersionKey, &str)> = hit
        .iter()
        .map(|v| key(&v.version).map(|k| (k, v.version.as_str())))
        .collect::<Option<_>>()?;
    let fixed: Vec<(VersionKey, &str)> = fixed
        .iter()
        .map(|v| key(&v.version).map(|k| (k, v.version.as_str())))
        .collect::<Option<_>>()?;
    let introduced = hit.iter().min()?;
    let last = hit.iter().max()?;
    let fix = fixed.iter().filter(|f| f.0 > last.0).min();
    let mut events = vec![json!({ "introduced": introduced.1 })];
    match fix {
        Some(fix) => events.push(json!({ "fixed": fix.1 })),
        None => events.push(json!({ "last_affected": last.1 })),
    }
    Some(json!({ "type": "SEMVER", "events": events }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_semver_counts() {
        assert_eq!(semver("3.1.4"), Some((3, 1, 4)));
        assert_eq!(semver("3.1"), None);
        assert_eq!(semver("3.01.4"), None);
        assert_eq!(semver("3.1.4-rc1"), None);
        assert_eq!(semver("3.1.4.2"), None);
    }

    fn v(version: &str) -> ProductVersion {
        ProductVersion {
            product_id: format!("P-{version}"),
            version: version.into(),
            model: None,
            purl: None,
        }
    }

    #[test]
    fn ranges_follow_the_catalog_scheme() {
        let (a, b, f) = (v("1.0.0-rc.1"), v("1.0.0"), v("1.0.1"));
        let r = semver_range(Some(VersionScheme::Semver), &[&b, &a], &[&f]).unwrap();
        assert_eq!(
            r["events"],
            json!([{"introduced": "1.0.0-rc.1"}, {"fixed": "1.0.1"}])
        );
        // A declared order is no semantic order, even when the versions look like one.
        assert_eq!(
            semver_range(Some(VersionScheme::Declared), &[&b], &[&f]),
            None
        );
        let (x, y) = (v("2.9.12"), v("2.10.3"));
        let r = semver_range(Some(VersionScheme::Dotted), &[&x], &[&y]).unwrap();
        assert_eq!(
            r["events"],
            json!([{"introduced": "2.9.12"}, {"fixed": "2.10.3"}])
        );
        assert_eq!(
            semver_range(Some(VersionScheme::Dotted), &[&v("V1.08.2")], &[]),
            None
        );
    }
}
