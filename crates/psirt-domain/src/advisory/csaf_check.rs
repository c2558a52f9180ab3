//! What would make an [`AdvisoryDoc`]'s CSAF rendering invalid, found before rendering, so
//! publication can refuse it (422) naming the field at fault. Each check cites the CSAF 2.0
//! mandatory test or schema rule it anticipates; a document without problems renders into a
//! CSAF document that passes them all (see `tests/advisory_formats.rs`).

use std::collections::HashSet;

use super::csaf::unique;
use super::model::{AdvisoryDoc, DocKind, Revision};

/// One reason the CSAF rendering would be invalid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsafProblem {
    /// Where in the advisory, e.g. `vulnerabilities[1].fixed`.
    pub field: String,
    /// What is wrong, in words for the editor.
    pub message: String,
}

impl std::fmt::Display for CsafProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Words test 6.1.31 takes for a version range inside a `product_version` name.
const RANGE_WORDS: [&str; 11] = [
    "<", "<=", ">", ">=", "after", "all", "before", "earlier", "later", "prior", "versions",
];

struct Problems(Vec<CsafProblem>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(CsafProblem {
            field: field.into(),
            message: message.into(),
        });
    }
}

/// Every problem of `doc`'s CSAF rendering; empty when it is valid.
pub fn problems(doc: &AdvisoryDoc) -> Vec<CsafProblem> {
    let mut out = Problems(Vec::new());
    for (field, value) in [
        ("id", &doc.id),
        ("title", &doc.title),
        ("summary", &doc.summary),
        ("language", &doc.language),
        ("publisher.name", &doc.publisher.name),
    ] {
        if value.trim().is_empty() {
            out.add(field, "must not be empty (CSAF schema)");
        }
    }
    if !doc.publisher.namespace.starts_with("https://")
        && !doc.publisher.namespace.starts_with("http://")
    {
        out.add(
            "publisher.namespace",
            "must be an http(s) URL (CSAF schema)",
        );
    }
    revisions(doc, &mut out);
    let defined = products(doc, &mut out);
    match doc.kind {
        DocKind::Notice => {
            if !doc.references.iter().any(|r| r.category != "self") {
                out.add(
                    "references",
                    "a notice needs at least one external reference (CSAF test 6.1.27.2)",
                );
            }
        }
        DocKind::Advisory => vulnerabilities(doc, &defined, &mut out),
    }
    out.0
}

fn revisions(doc: &AdvisoryDoc, out: &mut Problems) {
    if doc.revisions.is_empty() {
        out.add("revisions", "needs at least one revision (CSAF schema)");
        return;
    }
    let mut previous: Option<&Revision> = None;
    for (i, revision) in doc.revisions.iter().enumerate() {
        let expected = (i + 1).to_string();
        if revision.number != expected {
            out.add(
                format!("revisions[{i}].number"),
                format!("must be {expected}: revisions are numbered 1, 2, … (CSAF tests 6.1.16, 6.1.21, 6.1.22)"),
            );
        }
        if previous.is_some_and(|p| p.date > revision.date) {
            out.add(
                format!("revisions[{i}].date"),
                "is earlier than the revision before it (CSAF test 6.1.14)",
            );
        }
        if revision.summary.trim().is_empty() {
            out.add(
                format!("revisions[{i}].summary"),
                "must not be empty (CSAF schema)",
            );
        }
        previous = Some(revision);
    }
    if doc.current_release < doc.initial_release {
        out.add("current_release", "is before the initial release");
    }
}

/// Checks the catalog part and returns the defined product ids.
fn products<'a>(doc: &'a AdvisoryDoc, out: &mut Problems) -> HashSet<&'a str> {
    let mut defined = HashSet::new();
    for (p, product) in doc.products.iter().enumerate() {
        if product.vendor.trim().is_empty() || product.name.trim().is_empty() {
            out.add(
                format!("products[{p}]"),
                "vendor and name must not be empty (CSAF schema)",
            );
        }
        for (v, version) in product.versions.iter().enumerate() {
            let field = format!("products[{p}].versions[{v}]");
            if version.product_id.trim().is_empty() || version.version.trim().is_empty() {
                out.add(
                    &field,
                    "product id and version must not be empty (CSAF schema)",
                );
            }
            if !defined.insert(version.product_id.as_str()) {
                out.add(
                    format!("{field}.product_id"),
                    format!("{} is defined twice (CSAF test 6.1.2)", version.product_id),
                );
            }
            let name = version.version.to_lowercase();
            if let Some(word) = RANGE_WORDS.iter().find(|w| name.contains(**w)) {
                out.add(
                    format!("{field}.version"),
                    format!("\"{}\" reads as a version range ('{word}'): name one version (CSAF test 6.1.31)", version.version),
                );
            }
            if version
                .purl
                .as_deref()
                .is_some_and(|purl| !purl.is_empty() && !purl.starts_with("pkg:"))
            {
                out.add(
                    format!("{field}.purl"),
                    "a package URL starts with pkg: (CSAF test 6.1.13)",
                );
            }
        }
    }
    defined
}

fn vulnerabilities(doc: &AdvisoryDoc, defined: &HashSet<&str>, out: &mut Problems) {
    if doc.vulnerabilities.is_empty() {
        out.add(
            "vulnerabilities",
            "an advisory needs at least one vulnerability (CSAF test 6.1.27.11)",
        );
    }
    let mut cves = HashSet::new();
    for (i, v) in doc.vulnerabilities.iter().enumerate() {
        let at = |field: &str| format!("vulnerabilities[{i}].{field}");
        if let Some(cve) = &v.cve
            && !cves.insert(cve.as_str())
        {
            out.add(
                at("cve"),
                format!("{cve} appears in two vulnerabilities (CSAF test 6.1.23)"),
            );
        }
        if v.description.trim().is_empty() {
            out.add(at("description"), "must not be empty (CSAF schema)");
        }
        if v.known_affected.is_empty() && v.fixed.is_empty() {
            out.add(
                at("known_affected"),
                "names no affected or fixed product (CSAF test 6.1.27.6)",
            );
        }
        let lists = [("known_affected", &v.known_affected), ("fixed", &v.fixed)];
        for (name, ids) in lists {
            for id in ids.iter().filter(|id| !defined.contains(id.as_str())) {
                out.add(
                    at(name),
                    format!("{id} is not a product version of this advisory (CSAF test 6.1.1)"),
                );
            }
        }
        for id in v.fixed.iter().filter(|id| v.known_affected.contains(id)) {
            out.add(
                at("fixed"),
                format!("{id} is both affected and fixed (CSAF test 6.1.6)"),
            );
        }
        for (r, remediation) in v.remediations.iter().enumerate() {
            let field = at(&format!("remediations[{r}]"));
            if remediation.details.trim().is_empty() {
                out.add(&field, "details must not be empty (CSAF schema)");
            }
            let ids = if remediation.product_ids.is_empty() {
                unique(&v.known_affected)
            } else {
                unique(&remediation.product_ids)
            };
            if ids.is_empty() {
                out.add(&field, "applies to no product (CSAF test 6.1.29)");
            }
            for id in ids.into_iter().filter(|id| !defined.contains(id)) {
                out.add(
                    &field,
                    format!("{id} is not a product version of this advisory (CSAF test 6.1.1)"),
                );
            }
        }
    }
}
