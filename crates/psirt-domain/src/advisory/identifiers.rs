//! Identifiers that the renderers derive from the document: a product version's package URL
//! (the catalog's own, else a `pkg:generic` one for firmware, which has no package ecosystem)
//! and RFC 3339 timestamps in the shape every format's schema accepts.

use jiff::Timestamp;

use super::model::{Product, ProductVersion};

/// The version's purl from the catalog, else `pkg:generic/{vendor}/{name}@{version}` (the
/// purl specification's type for software without a package manager), percent-encoded.
pub fn purl_or_generic(product: &Product, version: &ProductVersion) -> String {
    if let Some(purl) = version.purl.as_deref().filter(|p| !p.trim().is_empty()) {
        return purl.to_owned();
    }
    let name = product.model_name(version.model.as_deref());
    format!(
        "pkg:generic/{}/{}@{}",
        percent_encode(&product.vendor),
        percent_encode(&name),
        percent_encode(&version.version)
    )
}

/// A product's base purl (`pkg:npm/fleet-app`) with a version: `pkg:npm/fleet-app@6.0.1`.
pub fn versioned_purl(base: &str, version: &str) -> String {
    format!("{base}@{}", percent_encode(version))
}

/// Percent-encodes everything but the purl specification's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `2026-03-01T10:00:00Z`: UTC, whole seconds (CSAF, CVE, OSV and OpenVEX all accept it;
/// OSV requires the `Z`).
pub fn rfc3339(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(purl: Option<&str>, model: Option<&str>) -> (Product, ProductVersion) {
        let version = ProductVersion {
            product_id: "X-1".into(),
            version: "3.1.4 rc/1".into(),
            model: model.map(Into::into),
            purl: purl.map(Into::into),
        };
        let product = Product {
            vendor: "Vigil GmbH".into(),
            name: "BMS".into(),
            version_scheme: None,
            versions: vec![version.clone()],
        };
        (product, version)
    }

    #[test]
    fn generic_purls_are_percent_encoded() {
        let (p, v) = product(None, Some("rev B"));
        assert_eq!(
            purl_or_generic(&p, &v),
            "pkg:generic/Vigil%20GmbH/BMS%20rev%20B@3.1.4%20rc%2F1"
        );
        let (p, v) = product(Some("pkg:npm/x@1"), None);
        assert_eq!(purl_or_generic(&p, &v), "pkg:npm/x@1");
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        let ts: Timestamp = "2026-03-01T10:00:00.123+01:00".parse().unwrap();
        assert_eq!(rfc3339(ts), "2026-03-01T09:00:00Z");
    }
}
