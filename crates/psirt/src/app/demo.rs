//! `psirt serve --demo`: a realistic organisation so a newcomer sees a living system — the
//! catalog of a maker of battery systems, inverters and portable power stations, and reports
//! arriving through the same intake path as real ones.

use jiff::{SignedDuration, Timestamp};
use psirt_domain::report::{Channel, ReportForm, Role};

use super::{App, AppError, admin, intake};
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
        intake::submit(app, form, Channel::Web, Vec::new(), "demo".into()).await?;
    }
    for (email, role) in [
        ("pso@demo.example", Role::Pso),
        ("rd@demo.example", Role::Rd),
        ("qa@demo.example", Role::Qa),
    ] {
        admin::create_user(app, email, None, role).await?;
    }
    Ok(true)
}
