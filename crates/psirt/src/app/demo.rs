//! `psirt serve --demo`: a realistic organisation so a newcomer sees a living system — the
//! catalog of a maker of battery systems, inverters and portable power stations, and reports
//! arriving through the same intake path as real ones.

use jiff::{SignedDuration, Timestamp};
use psirt_domain::report::{Channel, ReportForm, Role};

use super::{
    App, AppError, Staff, admin,
    demo_cases::{self, Assessment, Goal, Team},
    intake,
};
use crate::storage::catalog;

struct DemoProduct {
    name: &'static str,
    models: &'static [&'static str],
    versions: &'static [(&'static str, i64, bool)],
}

const PRODUCTS: &[DemoProduct] = &[
    DemoProduct {
        name: "VoltGuard BMS",
        models: &["BMS-200", "BMS-400 HV"],
        versions: &[
            ("2.3.1", 520, false),
            ("3.0.0", 300, true),
            ("3.1.4", 90, true),
            ("3.2.0", 20, true),
        ],
    },
    DemoProduct {
        name: "SunBridge Hybrid Inverter",
        models: &["SB-5K", "SB-10K-3P"],
        versions: &[
            ("V1.08.2", 700, false),
            ("V1.12.0", 210, true),
            ("V1.13.5", 45, true),
        ],
    },
    DemoProduct {
        name: "TrailCell Portable Power Station",
        models: &["TC-1000", "TC-2000 Pro"],
        versions: &[("fw 4.1", 400, true), ("fw 4.2", 60, true)],
    },
    DemoProduct {
        name: "Fleet Cloud App",
        models: &["Android", "iOS"],
        versions: &[("5.9.0", 30, true), ("6.0.1", 7, true)],
    },
];

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
    if !catalog::products(&app.db).await?.is_empty() {
        return Ok(false);
    }
    let now = app.clock.now();
    for product in PRODUCTS {
        let product_id = catalog::add_product(&app.db, product.name, now).await?;
        let mut model_ids = Vec::new();
        for model in product.models {
            model_ids.push(catalog::add_model(&app.db, &product_id, model).await?);
        }
        for (version, days_ago, supported) in product.versions {
            let released: Timestamp = now
                .saturating_sub(SignedDuration::from_hours(24 * days_ago))
                .unwrap_or(now);
            catalog::add_version(
                &app.db,
                &product_id,
                model_ids.first().map(String::as_str),
                version,
                released,
                *supported,
            )
            .await?;
        }
    }
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
            affected: "3.0.0",
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
            affected: "5.9.0",
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
