//! `psirt serve --demo`: a realistic organisation so a newcomer sees a living system — the
//! catalog of a maker of battery systems, inverters and portable power stations, and reports
//! arriving through the same intake path as real ones.

use jiff::{SignedDuration, Timestamp};
use psirt_domain::report::{Channel, ReportForm, Role};

use super::{
    App, AppError, Staff, admin,
    catalog::{
        self,
        transfer::{self, CatalogDocument, ModelDoc, Origins, ProductDoc, VersionDoc},
    },
    demo_cases::{self, Assessment, Goal, Team},
    intake,
};
use crate::storage::catalog as stored;

/// One demo release: version, models (empty: every model), days since release (`None`:
/// planned), support, days until end of support (negative: ended), markets.
type DemoVersion = (
    &'static str,
    &'static [&'static str],
    Option<i64>,
    &'static str,
    Option<i64>,
    &'static [&'static str],
);

struct DemoProduct {
    name: &'static str,
    scheme: &'static str,
    description: &'static str,
    purl: Option<&'static str>,
    /// Model name and days until its end of support.
    models: &'static [(&'static str, Option<i64>)],
    /// Oldest first (the declared order for `declared`).
    versions: &'static [DemoVersion],
}

const EU: &[&str] = &["DE", "FR", "NL", "IT", "ES", "PL"];
const EU_CN: &[&str] = &["DE", "FR", "NL", "IT", "ES", "PL", "CN"];

const PRODUCTS: &[DemoProduct] = &[
    DemoProduct {
        name: "VoltGuard BMS",
        // Hotfix builds such as 3.1.4-HF2 come after their base release: no common scheme
        // orders them that way (semver would put a pre-release first), so the order is declared.
        scheme: "declared",
        description: "Battery management system firmware for stationary storage (ASIL C).",
        purl: None,
        models: &[("BMS-200", Some(365)), ("BMS-400 HV", None)],
        versions: &[
            (
                "2.3.1",
                &["BMS-200"],
                Some(520),
                "unsupported",
                Some(-60),
                EU,
            ),
            ("3.0.0", &[], Some(300), "security_only", Some(120), EU_CN),
            ("3.1.4", &[], Some(90), "supported", None, EU_CN),
            (
                "3.1.4-HF2",
                &["BMS-200"],
                Some(40),
                "supported",
                None,
                EU_CN,
            ),
            ("3.2.0", &[], Some(20), "supported", None, EU_CN),
        ],
    },
    DemoProduct {
        name: "SunBridge Hybrid Inverter",
        scheme: "dotted",
        description: "Hybrid inverters for residential PV with battery storage.",
        purl: None,
        models: &[("SB-5K", None), ("SB-10K-3P", None)],
        versions: &[
            ("V1.08.2", &[], Some(700), "unsupported", Some(-200), EU),
            ("V1.9.4", &[], Some(420), "security_only", Some(90), EU),
            ("V1.12.0", &[], Some(210), "supported", None, EU_CN),
            ("V1.13.5", &[], Some(45), "supported", None, EU_CN),
        ],
    },
    DemoProduct {
        name: "TrailCell Portable Power Station",
        scheme: "dotted",
        description: "Portable power stations with app control over Wi-Fi and Bluetooth.",
        purl: None,
        models: &[("TC-1000", Some(200)), ("TC-2000 Pro", None)],
        versions: &[
            (
                "fw 4.1",
                &[],
                Some(400),
                "security_only",
                Some(200),
                &["DE", "FR", "US", "JP"],
            ),
            (
                "fw 4.2",
                &[],
                Some(60),
                "supported",
                None,
                &["DE", "FR", "US", "JP"],
            ),
            (
                "fw 4.3",
                &[],
                None,
                "supported",
                None,
                &["DE", "FR", "US", "JP"],
            ),
        ],
    },
    DemoProduct {
        name: "Fleet Cloud App",
        scheme: "semver",
        description: "The owners' app for Android and iOS.",
        purl: Some("pkg:generic/voltguard/fleet-cloud-app"),
        models: &[("Android", None), ("iOS", None)],
        versions: &[
            (
                "5.9.0",
                &[],
                Some(30),
                "security_only",
                Some(60),
                &["EU", "CN", "US"],
            ),
            (
                "6.0.0-rc.1",
                &["Android"],
                Some(14),
                "unsupported",
                None,
                &["DE"],
            ),
            (
                "6.0.1",
                &[],
                Some(7),
                "supported",
                None,
                &["EU", "CN", "US"],
            ),
            ("6.0.2", &[], None, "supported", None, &["EU", "CN", "US"]),
        ],
    },
];

/// The demo catalog as an import document (dates relative to `now`).
fn catalog_document(now: Timestamp) -> CatalogDocument {
    let day = |days: i64| -> String {
        let t = now
            .saturating_add(SignedDuration::from_hours(24 * days))
            .unwrap_or(now);
        catalog::ts_to_date(t).to_string()
    };
    let products = PRODUCTS
        .iter()
        .map(|p| ProductDoc {
            name: p.name.into(),
            version_scheme: Some(p.scheme.into()),
            description: Some(p.description.into()),
            purl: p.purl.map(Into::into),
            models: p
                .models
                .iter()
                .map(|(name, eos)| ModelDoc {
                    name: (*name).into(),
                    description: None,
                    end_of_support: eos.map(day),
                })
                .collect(),
            versions: p
                .versions
                .iter()
                .flat_map(|(version, models, released, support, eos, markets)| {
                    let models: Vec<&str> = if models.is_empty() {
                        p.models.iter().map(|(m, _)| *m).collect()
                    } else {
                        models.to_vec()
                    };
                    models.into_iter().map(move |m| VersionDoc {
                        version: (*version).into(),
                        model: Some(m.into()),
                        released: released.map(|d| day(-d)),
                        support: Some((*support).into()),
                        end_of_support: eos.map(day),
                        markets: Some(markets.iter().map(|c| (*c).into()).collect()),
                    })
                })
                .collect(),
            ..ProductDoc::default()
        })
        .collect();
    CatalogDocument {
        format: transfer::FORMAT_NAME.into(),
        version: 1,
        products,
    }
}

struct DemoReport {
    title: &'static str,
    product: &'static str,
    model: &'static str,
    version: &'static str,
    description: &'static str,
    steps: &'static str,
    reporter: Option<(&'static str, &'static str, &'static str)>,
}

const REPORTS: &[DemoReport] = &[
    DemoReport {
        title: "Unsigned OTA image accepted by BMS bootloader",
        product: "VoltGuard BMS",
        model: "BMS-400 HV",
        version: "3.1.4",
        description: "The bootloader verifies only a CRC32 of the update image, so a crafted image delivered over the \
                      cloud OTA channel can disable overcharge protection.",
        steps: "1. Capture an OTA session.\n2. Patch the threshold table.\n3. Recompute the CRC and replay.",
        reporter: Some((
            "Mei Lin",
            "Northgate Labs",
            "mei.lin@northgate-labs.example",
        )),
    },
    DemoReport {
        title: "CAN bus message injection alters SOC reporting",
        product: "VoltGuard BMS",
        model: "BMS-200",
        version: "3.0.0",
        description: "Frames with ID 0x18FF50E5 are accepted without authentication; the state of charge shown to the \
                      inverter drifts by up to 12 %.",
        steps: "Send the attached frame sequence at 10 Hz from any node on the bus.",
        reporter: Some((
            "Jonas Weber",
            "Stadtwerke Testfeld",
            "j.weber@testfeld.example",
        )),
    },
    DemoReport {
        title: "Modbus TCP write without authentication on inverter LAN port",
        product: "SunBridge Hybrid Inverter",
        model: "SB-10K-3P",
        version: "V1.12.0",
        description: "Holding registers 40100-40120 (export limit, grid code) can be written by anyone on the LAN.",
        steps: "modbus write 192.0.2.10 40101 0",
        reporter: None,
    },
    DemoReport {
        title: "Debug UART console left enabled on TC-2000",
        product: "TrailCell Portable Power Station",
        model: "TC-2000 Pro",
        version: "fw 4.2",
        description: "A root shell is available on the unpopulated J7 header at 115200 baud.",
        steps: "Open the case, attach a 3.3 V UART adapter to J7, press Enter.",
        reporter: Some(("Sam Okafor", "", "sam.okafor@example.net")),
    },
    DemoReport {
        title: "Hard-coded service password in the inverter web interface",
        product: "SunBridge Hybrid Inverter",
        model: "SB-5K",
        version: "V1.12.0",
        description: "The installer account of the local web interface has a fixed password shared by every unit.",
        steps: "Log in at http://<inverter>/ as installer with the password printed in the service manual.",
        reporter: Some((
            "Ana Costa",
            "Grid Research Lab",
            "ana.costa@gridlab.example",
        )),
    },
    DemoReport {
        title: "Path traversal in the fleet app's log export",
        product: "Fleet Cloud App",
        model: "Android",
        version: "5.9.0",
        description: "The export endpoint joins a user-supplied file name to the log folder without normalising it.",
        steps: "Request an export named ../../shared_prefs/session.xml.",
        reporter: Some(("Lee Park", "", "lee.park@example.net")),
    },
    DemoReport {
        title: "Update server accepts firmware downgrades",
        product: "VoltGuard BMS",
        model: "BMS-200",
        version: "3.1.4",
        description: "The OTA service installs any signed image, including old ones with known flaws.",
        steps: "Offer the signed 2.3.1 image to a 3.1.4 unit.",
        reporter: None,
    },
    DemoReport {
        title: "Telemetry API reveals serial numbers of other owners' units",
        product: "Fleet Cloud App",
        model: "iOS",
        version: "6.0.1",
        description: "The /v2/units endpoint returns units by sequential id without checking ownership.",
        steps: "Increment the id parameter.",
        reporter: Some(("Priya Nair", "Independent", "priya@example.org")),
    },
    DemoReport {
        title: "Debug log contains the Wi-Fi password",
        product: "TrailCell Portable Power Station",
        model: "TC-1000",
        version: "fw 4.1",
        description: "With debug logging enabled the Wi-Fi passphrase is written in clear text to the exported log.",
        steps: "Enable debug logging in the app, export the log, search for the SSID.",
        reporter: Some(("Tom Berg", "", "tom.berg@example.com")),
    },
];

/// Loads the demo unless a catalog already exists. Returns whether anything was loaded.
pub async fn load(app: &App) -> Result<bool, AppError> {
    if !stored::products(&app.db).await?.is_empty() {
        return Ok(false);
    }
    transfer::import_document(
        app,
        "system",
        &catalog_document(app.clock.now()),
        &Origins::default(),
    )
    .await?;
    let mut references = Vec::new();
    for r in REPORTS {
        let (name, organization, email) = match r.reporter {
            Some((n, o, e)) => (Some(n.to_owned()), Some(o.to_owned()), Some(e.to_owned())),
            None => (None, None, None),
        };
        let form = ReportForm {
            title: Some(r.title.into()),
            description: Some(r.description.into()),
            product: Some(r.product.into()),
            model: Some(r.model.into()),
            version: Some(r.version.into()),
            reproduction_steps: Some(r.steps.into()),
            anonymous: r.reporter.is_none(),
            reporter_name: name,
            reporter_organization: organization.filter(|o| !o.is_empty()),
            reporter_email: email,
            ..ReportForm::default()
        };
        references.push(
            intake::submit(app, form, Channel::Web, Vec::new(), "demo".into())
                .await?
                .reference,
        );
    }
    let mut staff = Vec::new();
    for (email, role) in [
        ("pso@demo.example", Role::Pso),
        ("pso2@demo.example", Role::Pso),
        ("rd@demo.example", Role::Rd),
        ("qa@demo.example", Role::Qa),
    ] {
        let user = admin::create_user(app, email, None, role).await?;
        staff.push(Staff {
            user_id: user.id,
            email: user.email,
            role,
        });
    }
    let mut staff = staff.into_iter();
    let (Some(pso), Some(pso2), Some(rd), Some(qa)) =
        (staff.next(), staff.next(), staff.next(), staff.next())
    else {
        return Err(AppError::Unavailable("demo staff".into()));
    };
    let team = Team { pso, pso2, rd, qa };
    for ((reference, r), (goal, assessment)) in references.iter().zip(REPORTS).zip(PLAN) {
        demo_cases::walk(app, &team, reference, *goal, assessment, r.title).await?;
    }
    demo_cases::notice(app, &team).await?;
    Ok(true)
}

/// How far each demo report goes, in order: a case in every phase, three published advisories.
const PLAN: &[(Goal, Assessment<'static>)] = &[
    (
        Goal::Closed,
        Assessment {
            grade_rank: 0,
            cvss_v31: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            cwe: "CWE-347",
            product: "VoltGuard BMS",
            affected: "3.1.4",
            fixed: "3.2.0",
            cve: "CVE-2026-41001",
        },
    ),
    (
        Goal::Remediation,
        Assessment {
            grade_rank: 1,
            cvss_v31: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:L",
            cwe: "CWE-345",
            product: "VoltGuard BMS",
            affected: ">= 3.0.0, < 3.2.0",
            fixed: "3.2.0",
            cve: "",
        },
    ),
    (
        Goal::Triage,
        Assessment {
            grade_rank: 1,
            cvss_v31: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H",
            cwe: "CWE-306",
            product: "SunBridge Hybrid Inverter",
            affected: "V1.12.0",
            fixed: "V1.13.5",
            cve: "",
        },
    ),
    (
        Goal::Acknowledged,
        Assessment {
            grade_rank: 2,
            cvss_v31: "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            cwe: "CWE-1191",
            product: "TrailCell Portable Power Station",
            affected: "fw 4.2",
            fixed: "fw 4.3",
            cve: "",
        },
    ),
    (
        Goal::Disclosed,
        Assessment {
            grade_rank: 0,
            cvss_v31: "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            cwe: "CWE-798",
            product: "SunBridge Hybrid Inverter",
            affected: "V1.12.0",
            fixed: "V1.13.5",
            cve: "CVE-2026-41002",
        },
    ),
    (
        Goal::PostRelease,
        Assessment {
            grade_rank: 1,
            cvss_v31: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
            cwe: "CWE-22",
            product: "Fleet Cloud App",
            affected: ">= 5.9.0, < 6.0.1",
            fixed: "6.0.1",
            cve: "CVE-2026-41003",
        },
    ),
    (
        Goal::Release,
        Assessment {
            grade_rank: 1,
            cvss_v31: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H",
            cwe: "CWE-494",
            product: "VoltGuard BMS",
            affected: "3.1.4",
            fixed: "3.2.0",
            cve: "",
        },
    ),
    (
        Goal::Confirmed,
        Assessment {
            grade_rank: 2,
            cvss_v31: "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
            cwe: "CWE-862",
            product: "Fleet Cloud App",
            affected: "6.0.1",
            fixed: "6.0.2",
            cve: "",
        },
    ),
    (
        Goal::Received,
        Assessment {
            grade_rank: 2,
            cvss_v31: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
            cwe: "CWE-532",
            product: "TrailCell Portable Power Station",
            affected: "fw 4.1",
            fixed: "fw 4.2",
            cve: "",
        },
    ),
];
