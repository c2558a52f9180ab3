//! Assembling the format-neutral [`AdvisoryDoc`] from an advisory, its cases and the catalog.

use jiff::Timestamp;
use psirt_domain::{
    advisory::{
        AdvisoryDoc, DocKind, Product, ProductVersion, Publisher, Reference, Remediation,
        RemediationCategory, Revision, Tlp, TrackingStatus, Vulnerability,
    },
    cvss::CvssVector,
    policy::StartEvent,
};

use crate::{
    app::{App, AppError},
    storage::{advisories, advisories::AdvisoryRow, cases},
};

/// A product id for CSAF: letters, digits and dashes only, stable for the same product/version.
fn product_id(product: &str, version: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '-'
                }
            })
            .collect::<String>()
    };
    format!("{}-{}", clean(product), clean(version))
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
    let mut products: Vec<Product> = Vec::new();
    let mut vulnerabilities = Vec::new();
    let mut add_version = |product: &str, version: &str| -> String {
        let id = product_id(product, version);
        if !products.iter().any(|p| p.name == product) {
            products.push(Product {
                vendor: org.name.clone(),
                name: product.to_owned(),
                versions: Vec::new(),
            });
        }
        if let Some(entry) = products.iter_mut().find(|p| p.name == product)
            && !entry.versions.iter().any(|v| v.product_id == id)
        {
            entry.versions.push(ProductVersion {
                product_id: id.clone(),
                version: version.to_owned(),
                model: None,
                purl: None,
            });
        }
        id
    };
    for (case_id, cve) in advisories::cases(&app.db, &row.id).await? {
        let Some(case) = cases::by_id(&app.db, &case_id).await? else {
            continue;
        };
        let versions = cases::versions(&app.db, &case_id).await?;
        let known_affected: Vec<String> = versions
            .iter()
            .filter(|v| v.status == "affected")
            .map(|v| add_version(&v.product, &v.version))
            .collect();
        let fixed: Vec<String> = versions
            .iter()
            .filter(|v| v.status == "fixed")
            .map(|v| add_version(&v.product, &v.version))
            .collect();
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
        products,
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
