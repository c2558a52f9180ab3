//! Assembling the format-neutral [`AdvisoryDoc`] from an advisory, its cases and the catalog.

use jiff::Timestamp;
use psirt_domain::{
    advisory::{
        AdvisoryDoc, DocKind, Product, ProductVersion, Publisher, Reference, Remediation,
        RemediationCategory, Revision, Tlp, TrackingStatus, Vulnerability, versioned_purl,
    },
    catalog::{VersionOrder, VersionScheme},
    cvss::CvssVector,
    policy::StartEvent,
};

use crate::{
    app::{
        App, AppError,
        catalog::{Loaded, resolve},
    },
    storage::{StorageError, advisories, advisories::AdvisoryRow, cases},
};

/// Letters, digits and dashes only (CSAF product ids).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// `(product, model, version)`.
type VersionKey = (String, Option<String>, String);

/// The products a document names, each version once with a stable id (CSAF `product_id`).
#[derive(Default)]
struct Tree {
    products: Vec<Product>,
    /// `(product, model, version)` → product id.
    ids: Vec<(VersionKey, String)>,
}

impl Tree {
    fn add(
        &mut self,
        product: &Product,
        model: Option<&str>,
        version: &str,
        purl: Option<String>,
    ) -> String {
        let key = (
            product.name.clone(),
            model.map(str::to_owned),
            version.to_owned(),
        );
        if let Some((_, id)) = self.ids.iter().find(|(k, _)| *k == key) {
            return id.clone();
        }
        let base = match model {
            Some(m) => format!("{}-{}-{}", clean(&product.name), clean(m), clean(version)),
            None => format!("{}-{}", clean(&product.name), clean(version)),
        };
        let mut id = base.clone();
        let mut n = 2;
        while self.ids.iter().any(|(_, i)| *i == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.ids.push((key, id.clone()));
        if !self.products.iter().any(|p| p.name == product.name) {
            self.products.push(Product {
                versions: Vec::new(),
                ..product.clone()
            });
        }
        if let Some(entry) = self.products.iter_mut().find(|p| p.name == product.name) {
            entry.versions.push(ProductVersion {
                product_id: id.clone(),
                version: version.to_owned(),
                model: model.map(str::to_owned),
                purl,
            });
        }
        id
    }

    /// Adds a case's entry: the catalog versions it stands for (every model), or the text as
    /// one version for a product outside the catalog.
    fn add_entry(
        &mut self,
        org: &str,
        catalog: Option<&Loaded>,
        entry: &cases::VersionRow,
    ) -> Vec<String> {
        let Some(loaded) = catalog else {
            let product = Product {
                vendor: org.to_owned(),
                name: entry.product.clone(),
                version_scheme: None,
                versions: Vec::new(),
            };
            return vec![self.add(&product, None, &entry.version, None)];
        };
        let p = &loaded.product;
        let product = Product {
            vendor: p.vendor.clone().unwrap_or_else(|| org.to_owned()),
            name: p.name.clone(),
            version_scheme: VersionScheme::parse(&p.version_scheme),
            versions: Vec::new(),
        };
        resolve::expand(loaded, &entry.version, entry.range)
            .into_iter()
            .map(|v| {
                let model = v
                    .model_id
                    .as_ref()
                    .and_then(|id| loaded.models.iter().find(|m| &m.id == id))
                    .map(|m| m.name.as_str());
                let purl = p
                    .purl
                    .as_deref()
                    .map(|base| versioned_purl(base, &v.version));
                self.add(&product, model, &v.version, purl)
            })
            .collect()
    }

    /// Versions in catalog order (oldest first), models by name.
    fn into_products(mut self, catalog: &[(String, VersionOrder)]) -> Vec<Product> {
        for p in &mut self.products {
            if let Some((_, order)) = catalog.iter().find(|(n, _)| *n == p.name) {
                p.versions.sort_by(|a, b| a.model.cmp(&b.model));
                order.sort_by_key(&mut p.versions, |v| v.version.as_str());
            }
        }
        self.products
    }
}

/// Common CWE names (CSAF requires the name with the id); unknown ids are left out of `cwe`.
const CWE_NAMES: &[(&str, &str)] = &[
    ("CWE-20", "Improper Input Validation"),
    (
        "CWE-22",
        "Improper Limitation of a Pathname to a Restricted Directory ('Path Traversal')",
    ),
    (
        "CWE-78",
        "Improper Neutralization of Special Elements used in an OS Command ('OS Command Injection')",
    ),
    (
        "CWE-79",
        "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')",
    ),
    (
        "CWE-89",
        "Improper Neutralization of Special Elements used in an SQL Command ('SQL Injection')",
    ),
    (
        "CWE-119",
        "Improper Restriction of Operations within the Bounds of a Memory Buffer",
    ),
    (
        "CWE-120",
        "Buffer Copy without Checking Size of Input ('Classic Buffer Overflow')",
    ),
    (
        "CWE-200",
        "Exposure of Sensitive Information to an Unauthorized Actor",
    ),
    ("CWE-284", "Improper Access Control"),
    ("CWE-287", "Improper Authentication"),
    ("CWE-306", "Missing Authentication for Critical Function"),
    ("CWE-311", "Missing Encryption of Sensitive Data"),
    ("CWE-319", "Cleartext Transmission of Sensitive Information"),
    ("CWE-345", "Insufficient Verification of Data Authenticity"),
    (
        "CWE-347",
        "Improper Verification of Cryptographic Signature",
    ),
    ("CWE-352", "Cross-Site Request Forgery (CSRF)"),
    ("CWE-400", "Uncontrolled Resource Consumption"),
    ("CWE-416", "Use After Free"),
    ("CWE-434", "Unrestricted Upload of File with Dangerous Type"),
    ("CWE-494", "Download of Code Without Integrity Check"),
    ("CWE-502", "Deserialization of Untrusted Data"),
    (
        "CWE-532",
        "Insertion of Sensitive Information into Log File",
    ),
    (
        "CWE-601",
        "URL Redirection to Untrusted Site ('Open Redirect')",
    ),
    (
        "CWE-732",
        "Incorrect Permission Assignment for Critical Resource",
    ),
    ("CWE-787", "Out-of-bounds Write"),
    ("CWE-798", "Use of Hard-coded Credentials"),
    ("CWE-862", "Missing Authorization"),
    ("CWE-863", "Incorrect Authorization"),
    ("CWE-918", "Server-Side Request Forgery (SSRF)"),
    (
        "CWE-1188",
        "Initialization of a Resource with an Insecure Default",
    ),
    (
        "CWE-1191",
        "On-Chip Debug and Test Interface With Improper Access Control",
    ),
];

pub fn cwe_name(id: &str) -> Option<&'static str> {
    CWE_NAMES
        .iter()
        .find(|(i, _)| i.eq_ignore_ascii_case(id.trim()))
        .map(|(_, n)| *n)
}

/// Builds the document as it will read after this publication (`revision`, released `now`).
pub async fn build(
    app: &App,
    row: &AdvisoryRow,
    revision: i64,
    revision_summary: &str,
    now: Timestamp,
) -> Result<AdvisoryDoc, AppError> {
    let org = &app.config.organization;
    let mut tree = Tree::default();
    let mut catalog = resolve::Products::default();
    let mut orders: Vec<(String, VersionOrder)> = Vec::new();
    let mut conn = app.db.pool().acquire().await.map_err(StorageError::from)?;
    let mut vulnerabilities = Vec::new();
    for (case_id, cve) in advisories::cases(&app.db, &row.id).await? {
        let Some(case) = cases::by_id(&app.db, &case_id).await? else {
            continue;
        };
        let versions = cases::versions(&app.db, &case_id).await?;
        let mut known_affected: Vec<String> = Vec::new();
        let mut fixed: Vec<String> = Vec::new();
        for v in &versions {
            let loaded = catalog.get(&mut conn, &v.product).await?;
            if let Some(l) = loaded
                && !orders.iter().any(|(n, _)| *n == l.product.name)
            {
                orders.push((l.product.name.clone(), l.order()));
            }
            let ids = tree.add_entry(&org.name, loaded, v);
            if v.status == "fixed" {
                fixed.extend(ids);
            } else {
                known_affected.extend(ids);
            }
        }
        let mut remediations = Vec::new();
        if let Some(details) = &row.remediation {
            remediations.push(Remediation {
                category: RemediationCategory::VendorFix,
                details: details.clone(),
                url: None,
                product_ids: known_affected.clone(),
            });
        }
        if let Some(details) = &row.workarounds {
            remediations.push(Remediation {
                category: RemediationCategory::Workaround,
                details: details.clone(),
                url: None,
                product_ids: known_affected.clone(),
            });
        }
        let anchors = cases::anchors(&app.db, &case_id).await?;
        vulnerabilities.push(Vulnerability {
            cve,
            case_reference: case.reference.clone(),
            cwe: case
                .cwe
                .as_deref()
                .and_then(|id| cwe_name(id).map(|n| (id.trim().to_uppercase(), n.to_owned()))),
            title: case.title.clone(),
            description: row.summary.clone(),
            cvss_v3_1: case
                .cvss_v31
                .as_deref()
                .and_then(|v| CvssVector::parse(v).ok()),
            cvss_v4_0: case
                .cvss_v40
                .as_deref()
                .and_then(|v| CvssVector::parse(v).ok()),
            known_affected,
            fixed,
            remediations,
            acknowledgments: Vec::new(),
            discovery_date: anchors
                .iter()
                .find(|(e, _)| e == StartEvent::Received.as_str())
                .map(|(_, t)| *t),
            release_date: Some(row.published_at.unwrap_or(now)),
        });
    }
    let mut revisions: Vec<Revision> = advisories::revisions(&app.db, &row.id)
        .await?
        .into_iter()
        .map(|(n, date, summary)| Revision {
            number: n.to_string(),
            date,
            summary,
        })
        .collect();
    revisions.push(Revision {
        number: revision.to_string(),
        date: now,
        summary: revision_summary.to_owned(),
    });
    let grade = match advisories::cases(&app.db, &row.id).await?.first() {
        Some((case_id, _)) => cases::by_id(&app.db, case_id).await?.and_then(|c| c.grade),
        None => None,
    };
    let mut doc = AdvisoryDoc {
        id: row.tracking_id.clone(),
        kind: if row.kind == "notice" {
            DocKind::Notice
        } else {
            DocKind::Advisory
        },
        title: row.title.clone(),
        summary: row.summary.clone(),
        business_impact: row.business_impact.clone(),
        grade,
        tlp: Tlp::parse(&row.tlp).unwrap_or(Tlp::Red),
        status: TrackingStatus::Final,
        language: "en".into(),
        publisher: Publisher {
            name: org.name.clone(),
            namespace: app.config.public_url(),
            contact_details: org.security_contact.clone(),
            cve_org_id: org.cve_org_id.clone(),
        },
        initial_release: row.published_at.unwrap_or(now),
        current_release: now,
        revisions,
        references: Vec::new(),
        products: tree.into_products(&orders),
        vulnerabilities,
        acknowledgments: Vec::new(),
    };
    // The canonical URL (CSAF 6.2.11) is the CSAF file itself; the HTML page is a second reference.
    let public = app.config.public_url();
    doc.references = vec![
        Reference {
            url: format!("{public}{}", super::publish::csaf_path(&doc)),
            summary: "Canonical URL (CSAF)".into(),
            category: "self".into(),
        },
        Reference {
            url: format!("{public}/advisories/{}", doc.id),
            summary: "Advisory page".into(),
            category: "external".into(),
        },
    ];
    Ok(doc)
}
