//! Security Advisories and Notices as psirt publishes them: one format-neutral model
//! ([`AdvisoryDoc`]) from which every public format is rendered (CSAF 2.0, CVE JSON 5.1, OSV,
//! OpenVEX, HTML, Atom). Pure: the application layer assembles a document from cases and the
//! catalog; renderers never read storage.

pub mod csaf;
mod csaf_check;
pub mod cve;
mod cvss_json;
mod identifiers;
mod model;
pub mod openvex;
pub mod osv;

pub use csaf_check::{CsafProblem, problems as csaf_problems};
pub use identifiers::versioned_purl;
pub use model::{
    AdvisoryDoc, DocKind, Product, ProductVersion, Publisher, Reference, Remediation,
    RemediationCategory, Revision, Tlp, TrackingStatus, Vulnerability, csaf_file_name,
};
