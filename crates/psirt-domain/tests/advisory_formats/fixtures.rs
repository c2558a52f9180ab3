//! Realistic advisory documents: a BMS advisory with two CVEs across two products (one with
//! hardware models), a smaller TLP:GREEN advisory without a CVE (a v3.0 vector, a third-party
//! vendor), and a Security Notice.

use jiff::Timestamp;
use psirt_domain::advisory::{
    AdvisoryDoc, DocKind, Product, ProductVersion, Publisher, Reference, Remediation,
    RemediationCategory, Revision, Tlp, TrackingStatus, Vulnerability,
};
use psirt_domain::cvss::CvssVector;

pub fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn cvss(v: &str) -> Option<CvssVector> {
    Some(CvssVector::parse(v).unwrap())
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn version(id: &str, version: &str, model: Option<&str>, purl: Option<&str>) -> ProductVersion {
    ProductVersion {
        product_id: id.into(),
        version: version.into(),
        model: model.map(Into::into),
        purl: purl.map(Into::into),
    }
}

fn publisher() -> Publisher {
    Publisher {
        name: "Vigil Storage Systems PSIRT".into(),
        namespace: "https://psirt.vigil.example".into(),
        contact_details: "psirt@vigil.example".into(),
        cve_org_id: Some("2f0d1f3a-6b1e-4c8e-9f5e-1d2c3b4a5f60".into()),
    }
}

fn revision(number: &str, date: &str, summary: &str) -> Revision {
    Revision {
        number: number.into(),
        date: ts(date),
        summary: summary.into(),
    }
}

fn reference(url: &str, summary: &str, category: &str) -> Reference {
    Reference {
        url: url.into(),
        summary: summary.into(),
        category: category.into(),
    }
}

fn remediation(
    category: RemediationCategory,
    details: &str,
    url: Option<&str>,
    products: &[&str],
) -> Remediation {
    Remediation {
        category,
        details: details.into(),
        url: url.map(Into::into),
        product_ids: ids(products),
    }
}

/// PSIRT-SA-2026-0001: two vulnerabilities in the BMS controller and the battery gateway.
pub fn bms_advisory() -> AdvisoryDoc {
    let products = vec![
        Product {
            vendor: "Vigil Storage Systems".into(),
            name: "BMS Controller".into(),
            version_scheme: None,
            versions: vec![
                version("BMSC-A-3.0.0", "3.0.0", Some("rev A"), None),
                version("BMSC-A-3.1.4", "3.1.4", Some("rev A"), None),
                version("BMSC-A-3.2.0", "3.2.0", Some("rev A"), None),
                version("BMSC-B-3.1.4", "3.1.4", Some("rev B"), None),
                version("BMSC-B-3.2.0", "3.2.0", Some("rev B"), None),
            ],
        },
        Product {
            vendor: "Vigil Storage Systems".into(),
            name: "Battery Gateway".into(),
            version_scheme: None,
            versions: vec![
                version(
                    "BGW-1.4.0",
                    "1.4.0",
                    None,
                    Some("pkg:generic/vigil/battery-gateway@1.4.0"),
                ),
                version(
                    "BGW-1.4.2",
                    "1.4.2",
                    None,
                    Some("pkg:generic/vigil/battery-gateway@1.4.2"),
                ),
                version(
                    "BGW-1.5.0",
                    "1.5.0",
                    None,
                    Some("pkg:generic/vigil/battery-gateway@1.5.0"),
                ),
            ],
        },
    ];
    let fix_url = "https://download.vigil.example/firmware/bms-3.2.0";
    let signature = Vulnerability {
        cve: Some("CVE-2026-10001".into()),
        case_reference: "PSIRT-2026-0007".into(),
        cwe: Some(("CWE-347".into(), "Improper Verification of Cryptographic Signature".into())),
        title: "Unsigned firmware images accepted by the BMS controller".into(),
        description: "The firmware update service of the BMS controller does not verify the signature of uploaded \
                      images. An attacker on the service network can install modified firmware."
            .into(),
        cvss_v3_1: cvss("CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/E:P/RL:O/RC:C"),
        cvss_v4_0: cvss("CVSS:4.0/AV:A/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:P"),
        known_affected: ids(&["BMSC-A-3.0.0", "BMSC-A-3.1.4", "BMSC-B-3.1.4", "BGW-1.4.2"]),
        fixed: ids(&["BMSC-A-3.2.0", "BMSC-B-3.2.0", "BGW-1.5.0"]),
        remediations: vec![
            remediation(
                RemediationCategory::VendorFix,
                "Update the controller to firmware 3.2.0 (download centre or OTA) and the gateway to 1.5.0.",
                Some(fix_url),
                &["BMSC-A-3.0.0", "BMSC-A-3.1.4", "BMSC-B-3.1.4", "BGW-1.4.2"],
            ),
            remediation(
                RemediationCategory::Mitigation,
                "Restrict access to the service network to maintenance laptops.",
                None,
                &[],
            ),
        ],
        acknowledgments: vec!["Ada Lovelace (Example Labs)".into()],
        discovery_date: Some(ts("2026-01-12T09:00:00Z")),
        release_date: Some(ts("2026-03-03T10:00:00Z")),
    };
    let modbus = Vulnerability {
        cve: Some("CVE-2026-10002".into()),
        case_reference: "PSIRT-2026-0009".into(),
        cwe: Some(("CWE-306".into(), "Missing Authentication for Critical Function".into())),
        title: "Maintenance port accepts Modbus/TCP writes without authentication".into(),
        description: "The battery gateway's maintenance port accepts Modbus/TCP write requests from any host.".into(),
        cvss_v3_1: cvss("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H"),
        cvss_v4_0: cvss("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:H/VA:H/SC:N/SI:N/SA:N"),
        known_affected: ids(&["BGW-1.4.0", "BGW-1.4.2"]),
        fixed: ids(&["BGW-1.5.0"]),
        remediations: vec![
            remediation(
                RemediationCategory::VendorFix,
                "Update the gateway to 1.5.0.",
                Some("https://download.vigil.example/firmware/bgw-1.5.0"),
                &[],
            ),
            remediation(RemediationCategory::Workaround, "Block TCP port 502 at the site firewall.", None, &["BGW-1.4.0"]),
        ],
        acknowledgments: vec![],
        discovery_date: None,
        release_date: Some(ts("2026-03-03T10:00:00Z")),
    };
    AdvisoryDoc {
        id: "PSIRT-SA-2026-0001".into(),
        kind: DocKind::Advisory,
        title: "Vigil BMS Controller and Battery Gateway: firmware signature bypass and unauthenticated Modbus writes"
            .into(),
        summary: "Two vulnerabilities allow an attacker on the service network to take control of the battery system."
            .into(),
        business_impact: Some("Loss of control over stored energy; possible outage of the site's backup power.".into()),
        grade: Some("Critical".into()),
        tlp: Tlp::White,
        status: TrackingStatus::Final,
        language: "en".into(),
        publisher: publisher(),
        initial_release: ts("2026-03-03T10:00:00Z"),
        current_release: ts("2026-03-10T08:30:00Z"),
        revisions: vec![
            revision("1", "2026-03-03T10:00:00Z", "Initial publication."),
            revision("2", "2026-03-10T08:30:00Z", "Added the Battery Gateway 1.4.0 to the affected versions."),
        ],
        references: vec![
            reference("https://psirt.vigil.example/advisories/PSIRT-SA-2026-0001", "This advisory", "self"),
            reference("https://www.cve.org/CVERecord?id=CVE-2026-10001", "CVE-2026-10001", "external"),
        ],
        products,
        vulnerabilities: vec![signature, modbus],
        acknowledgments: vec!["Ada Lovelace (Example Labs)".into()],
    }
}

/// PSIRT-SA-2026-0002: TLP:GREEN, one vulnerability without a CVE in a third-party component.
pub fn green_advisory() -> AdvisoryDoc {
    AdvisoryDoc {
        id: "PSIRT-SA-2026-0002".into(),
        kind: DocKind::Advisory,
        title: "Energy Portal: denial of service through the bundled web server".into(),
        summary: "A malformed HTTP request stops the portal's web server until it is restarted."
            .into(),
        business_impact: None,
        grade: Some("Medium".into()),
        tlp: Tlp::Green,
        status: TrackingStatus::Final,
        language: "en".into(),
        publisher: Publisher {
            cve_org_id: None,
            ..publisher()
        },
        initial_release: ts("2026-04-01T12:00:00Z"),
        current_release: ts("2026-04-01T12:00:00Z"),
        revisions: vec![revision(
            "1",
            "2026-04-01T12:00:00Z",
            "Initial publication.",
        )],
        references: vec![],
        products: vec![Product {
            vendor: "Example Web Components".into(),
            name: "Energy Portal web server".into(),
            version_scheme: None,
            versions: vec![
                version("EP-2.4", "2.4", None, None),
                version("EP-2.5", "2.5", None, None),
            ],
        }],
        vulnerabilities: vec![Vulnerability {
            cve: None,
            case_reference: "PSIRT-2026-0011".into(),
            cwe: None,
            title: "Web server stops on a malformed request".into(),
            description: "A request with an overlong header line stops the web server process."
                .into(),
            cvss_v3_1: cvss("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H/E:F/RL:W/CR:H/MAV:A"),
            cvss_v4_0: None,
            known_affected: ids(&["EP-2.4"]),
            fixed: ids(&["EP-2.5"]),
            remediations: vec![remediation(
                RemediationCategory::VendorFix,
                "Update to 2.5.",
                None,
                &["EP-2.4"],
            )],
            acknowledgments: vec![],
            discovery_date: None,
            release_date: None,
        }],
        acknowledgments: vec![],
    }
}

/// PSIRT-SN-2026-0001: a Security Notice on a public topic.
pub fn notice() -> AdvisoryDoc {
    AdvisoryDoc {
        id: "PSIRT-SN-2026-0001".into(),
        kind: DocKind::Notice,
        title: "OpenSSH regreSSHion (CVE-2024-6387) and Vigil products".into(),
        summary: "No Vigil product ships an OpenSSH server affected by CVE-2024-6387.".into(),
        business_impact: None,
        grade: None,
        tlp: Tlp::White,
        status: TrackingStatus::Final,
        language: "en".into(),
        publisher: publisher(),
        initial_release: ts("2026-02-01T09:00:00Z"),
        current_release: ts("2026-02-01T09:00:00Z"),
        revisions: vec![revision(
            "1",
            "2026-02-01T09:00:00Z",
            "Initial publication.",
        )],
        references: vec![reference(
            "https://www.cve.org/CVERecord?id=CVE-2024-6387",
            "CVE-2024-6387",
            "external",
        )],
        products: vec![],
        vulnerabilities: vec![],
        acknowledgments: vec![],
    }
}
