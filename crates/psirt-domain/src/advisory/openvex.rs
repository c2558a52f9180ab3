//! OpenVEX 0.2.0 rendering: a Security Advisory as VEX statements, per vulnerability one
//! `affected` statement (its known affected versions, with the remediations as the
//! `action_statement` OpenVEX requires) and one `fixed` statement (its fixed versions).
//!
//! Products are identified by purl (`@id` and `identifiers.purl`): the catalog's, else a
//! `pkg:generic` one. The vulnerability is named by its CVE id, else by its case reference.
//! The document `@id` is `{publisher namespace}/vex/{tracking id}`; `version` is the
//! advisory's revision number.

use serde_json::{Map, Value, json};

use super::identifiers::{purl_or_generic, rfc3339};
use super::model::{AdvisoryDoc, DocKind, Vulnerability};

/// The OpenVEX 0.2.0 JSON-LD context.
pub const CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// The OpenVEX document for `doc`; `None` for a notice or an advisory without a statement to
/// make (OpenVEX requires at least one statement).
pub fn render(doc: &AdvisoryDoc) -> Option<Value> {
    if doc.kind == DocKind::Notice {
        return None;
    }
    let statements: Vec<Value> = doc
        .vulnerabilities
        .iter()
        .flat_map(|v| statements(doc, v))
        .collect();
    if statements.is_empty() {
        return None;
    }
    let version = doc
        .version()
        .parse::<u64>()
        .ok()
        .filter(|v| *v >= 1)
        .unwrap_or(1);
    Some(json!({
        "@context": CONTEXT,
        "@id": format!("{}/vex/{}", doc.publisher.namespace.trim_end_matches('/'), doc.id),
        "author": doc.publisher.name,
        "role": "vendor",
        "timestamp": rfc3339(doc.initial_release),
        "last_updated": rfc3339(doc.current_release),
        "version": version,
        "tooling": format!("psirt {}", env!("CARGO_PKG_VERSION")),
        "statements": statements,
    }))
}

fn statements(doc: &AdvisoryDoc, vuln: &Vulnerability) -> Vec<Value> {
    let mut vulnerability = Map::new();
    match &vuln.cve {
        Some(cve) => {
            vulnerability.insert("name".into(), json!(cve));
            vulnerability.insert("aliases".into(), json!([vuln.case_reference]));
        }
        None => {
            vulnerability.insert("name".into(), json!(vuln.case_reference));
        }
    }
    vulnerability.insert("description".into(), json!(vuln.title));
    let timestamp = rfc3339(vuln.release_date.unwrap_or(doc.initial_release));
    let statuses = [
        ("affected", &vuln.known_affected, Some(action(vuln))),
        ("fixed", &vuln.fixed, None),
    ];
    let mut out = Vec::new();
    for (status, ids, action) in statuses {
        let products = products(doc, ids);
        if products.is_empty() {
            continue;
        }
        let mut statement = Map::new();
        statement.insert("vulnerability".into(), Value::Object(vulnerability.clone()));
        statement.insert("timestamp".into(), json!(timestamp));
        statement.insert("products".into(), Value::Array(products));
        statement.insert("status".into(), json!(status));
        if let Some(action) = action {
            statement.insert("action_statement".into(), json!(action));
        }
        out.push(Value::Object(statement));
    }
    out
}

/// The remediations in words; OpenVEX requires an action statement for `affected`.
fn action(vuln: &Vulnerability) -> String {
    let texts: Vec<String> = vuln
        .remediations
        .iter()
        .map(|r| match r.url.as_deref() {
            Some(url) => format!("{} ({url})", r.details),
            None => r.details.clone(),
        })
        .collect();
    if texts.is_empty() {
        "No remediation is available yet; follow the advisory for updates.".to_owned()
    } else {
        texts.join(" ")
    }
}

/// The product versions with these ids, as OpenVEX components, each once.
fn products(doc: &AdvisoryDoc, ids: &[String]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for product in &doc.products {
        for version in product
            .versions
            .iter()
            .filter(|v| ids.contains(&v.product_id))
        {
            let purl = purl_or_generic(product, version);
            let component = json!({ "@id": purl, "identifiers": { "purl": purl } });
            if !out.contains(&component) {
                out.push(component);
            }
        }
    }
    out
}
