//! The whole catalog as JSON and CSV through the API and the CLI: exports round-trip exactly,
//! and a file with bad rows is reported row by row and imports nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::TestApp;
use psirt_domain::report::Role;
use reqwest::Method;
use serde_json::{Value, json};

fn catalog() -> Value {
    json!({"format": "psirt-catalog", "version": 1, "products": [
        {"name": "VoltGuard BMS", "slug": "voltguard-bms", "version_scheme": "declared",
         "description": "=HYPERLINK(\"x\") \"quoted\", with a comma\nand a second line",
         "models": [{"name": "BMS-200", "end_of_support": "2027-12-31"}, {"name": "BMS-400 HV", "description": "-48 V variant"}],
         "versions": [
            {"version": "3.1.4", "model": "BMS-200", "released": "2026-01-10", "support": "security_only", "end_of_support": "2027-01-31", "markets": ["CN", "DE"]},
            {"version": "3.1.4-HF2", "model": "BMS-200", "released": "2026-03-01", "support": "supported", "markets": ["EU"]},
            {"version": "3.0.9", "model": "BMS-400 HV", "released": "2026-04-01", "support": "supported", "markets": []}
         ]},
        {"name": "储能逆变器 SB", "slug": "sb-inverter", "version_scheme": "dotted", "vendor": "SunBridge OEM",
         "models": [{"name": "SB-5K"}], "versions": []},
        {"name": "Fleet Cloud App", "slug": "fleet-cloud-app", "version_scheme": "semver", "purl": "pkg:generic/voltguard/fleet-cloud-app",
         "models": [], "versions": [{"version": "6.0.0-rc.1", "support": "unsupported", "markets": ["US"]}, {"version": "6.0.1", "support": "supported", "markets": ["US"]}]}
    ]})
}

async fn export(t: &TestApp, token: &str, format: &str) -> String {
    let r = t
        .http
        .get(t.url(&format!("/api/v1/catalog/export?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

async fn import_csv(t: &TestApp, token: &str, csv: &str) -> (u16, Value) {
    let r = t
        .http
        .post(t.url("/api/v1/catalog/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}

#[tokio::test]
async fn json_and_csv_round_trip() {
    let a = TestApp::spawn().await;
    let pm = a.staff("pm@example.com", Role::Pm).await;
    let (s, summary) = a
        .call(&pm, Method::POST, "/api/v1/catalog/import", catalog())
        .await;
    assert_eq!(s, 200, "{summary}");
    assert_eq!(
        (
            summary["products_created"].as_u64(),
            summary["versions_created"].as_u64()
        ),
        (Some(3), Some(5))
    );
    let json_a = export(&a, &pm, "json").await;
    let exported: Value = serde_json::from_str(&json_a).unwrap();
    let bms = exported["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "VoltGuard BMS")
        .unwrap();
    assert_eq!(
        bms["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["version"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["3.1.4", "3.1.4-HF2", "3.0.9"],
        "declared: the file's order"
    );
    let csv_a = export(&a, &pm, "csv").await;
    assert!(
        csv_a.contains("'=HYPERLINK") && csv_a.contains("'-48 V"),
        "formulas defused: {csv_a}"
    );

    // Importing the same file again changes nothing.
    let (s, again) = a
        .call(
            &pm,
            Method::POST,
            "/api/v1/catalog/import",
            exported.clone(),
        )
        .await;
    assert_eq!((s, again["products_updated"].as_u64()), (200, Some(3)));
    assert_eq!(export(&a, &pm, "json").await, json_a);

    // JSON into an empty catalog.
    let b = TestApp::spawn().await;
    let admin = b.staff("admin@example.com", Role::Admin).await;
    let (s, _) = b
        .call(&admin, Method::POST, "/api/v1/catalog/import", exported)
        .await;
    assert_eq!(s, 200);
    assert_eq!(export(&b, &admin, "json").await, json_a);

    // CSV into an empty catalog.
    let c = TestApp::spawn().await;
    let admin = c.staff("admin@example.com", Role::Admin).await;
    let (s, body) = import_csv(&c, &admin, &csv_a).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(export(&c, &admin, "json").await, json_a);
    assert_eq!(export(&c, &admin, "csv").await, csv_a);
}

#[tokio::test]
async fn bad_rows_are_all_reported_and_nothing_is_imported() {
    let t = TestApp::spawn().await;
    let pm = t.staff("pm@example.com", Role::Pm).await;
    let support = t.staff("support@example.com", Role::Support).await;
    let csv = "product,slug,version_scheme,model,version,released,support,end_of_support,markets\r\n\
        Good Product,good,dotted,M1,1.2.3,2026-01-01,supported,,DE FR\r\n\
        Good Product,good,dotted,M1,1.10,2026-02-30,supported,,DE\r\n\
        Good Product,other-slug,dotted,M1,1.11,2026-02-01,supported,,DE\r\n\
        Good Product,good,dotted,M2,1.x,2026-02-01,supported,,DE\r\n\
        Good Product,good,dotted,M1,1.12,2026-02-01,sometimes,,DE XX\r\n\
        ,,,,1.13,,,,\r\n\
        Bad Product,BAD SLUG,calver,,,,,,\r\n\
        Good Product,good,dotted,M1,1.2.3,2026-01-01,supported,,DE\r\n";
    let (s, b) = import_csv(&t, &pm, csv).await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("validation_failed")),
        "{b}"
    );
    let mut got: Vec<(String, String)> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("lines[3].released", "invalid_date"),
            ("lines[4].slug", "inconsistent"),
            ("lines[5].version", "invalid_version"),
            ("lines[6].markets[1]", "unknown_market"),
            ("lines[6].support", "unknown_support_status"),
            ("lines[7].product", "required"),
            ("lines[8].slug", "invalid_slug"),
            ("lines[8].version_scheme", "unknown_scheme"),
            ("lines[9].version", "duplicate"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned())),
        "{b}"
    );
    let (_, list) = t.get_json("/api/v1/products", &support).await;
    assert_eq!(list["total"], 0, "nothing half-imported: {list}");

    // JSON names the path; the support role may export but not import.
    let mut doc = catalog();
    doc["products"][0]["versions"][1]["released"] = json!("yesterday");
    let (s, b) = t
        .call(&pm, Method::POST, "/api/v1/catalog/import", doc)
        .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (422, Some("products[0].versions[1].released"))
    );
    let (s, _) = t
        .call(&support, Method::POST, "/api/v1/catalog/import", catalog())
        .await;
    assert_eq!(s, 403);
    let (_, list) = t.get_json("/api/v1/products", &support).await;
    assert_eq!(list["total"], 0);
}

fn psirt(data: &std::path::Path, url: &str, args: &[&str]) -> (i32, String, String) {
    common::cli(data, url, &[], args)
}

#[tokio::test]
async fn the_cli_exports_and_imports() {
    let data = tempfile::tempdir().unwrap();
    let (url, schema) = common::test_database_url(data.path());
    common::prepare_schema(&schema).await;
    let file = data.path().join("catalog.json");
    std::fs::write(&file, catalog().to_string()).unwrap();
    let (code, _, err) = psirt(
        data.path(),
        &url,
        &[
            "catalog",
            "import",
            "--format",
            "json",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, csv, _) = psirt(data.path(), &url, &["catalog", "export", "--format", "csv"]);
    assert_eq!(code, 0);
    assert!(csv.starts_with("product,slug,vendor,"), "{csv}");
    // A header, a row per version and one for the model without versions (the description's
    // line break stays inside its quoted cell).
    assert_eq!(csv.matches("\r\n").count(), 1 + 3 + 1 + 2, "{csv}");

    let bad = data.path().join("bad.csv");
    std::fs::write(
        &bad,
        "product,version,released\nVoltGuard BMS,3.9.9,someday\nVoltGuard BMS,3.9.10,2026-13-01\nNew Thing,1.0,2026-01-01\n",
    )
    .unwrap();
    let (code, _, err) = psirt(
        data.path(),
        &url,
        &[
            "catalog",
            "import",
            "--format",
            "csv",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lines[2].released") && err.contains("lines[3].released"),
        "{err}"
    );
    assert_eq!(
        err.lines().count(),
        3,
        "one line per bad row and a summary: {err}"
    );
    let (_, json, _) = psirt(data.path(), &url, &["catalog", "export"]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        doc["products"].as_array().unwrap().len(),
        3,
        "New Thing was not imported"
    );
}
