//! `serve --demo`: a living organisation — a case in every phase, published advisories with
//! CVE ids and a notice — built through the same use cases staff call.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::TestApp;
use psirt_domain::report::Role;

#[tokio::test]
async fn the_demo_shows_every_phase_and_published_documents() {
    let t = TestApp::spawn().await;
    assert!(psirt::app::demo::load(&t.app).await.unwrap());
    assert!(
        !psirt::app::demo::load(&t.app).await.unwrap(),
        "loading twice changes nothing"
    );
    let admin = t.staff("admin@example.com", Role::Admin).await;
    for phase in [
        "received",
        "acknowledged",
        "triage",
        "confirmed",
        "remediation",
        "release",
        "disclosed",
        "post_release",
        "closed",
    ] {
        let (_, list) = t
            .get_json(&format!("/api/v1/cases?phase={phase}"), &admin)
            .await;
        assert!(
            list["total"].as_i64().unwrap() >= 1,
            "no demo case in {phase}"
        );
    }
    let index = t
        .http
        .get(t.url("/.well-known/csaf/white/index.txt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        index.lines().count(),
        4,
        "three advisories and a notice: {index}"
    );
    assert!(index.contains("psirt-sn-2026-0001.json"));
    // Every published CSAF document goes to the independent validators of .ci/validate-exports.
    let exports = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/exports/published-csaf");
    std::fs::create_dir_all(&exports).unwrap();
    for path in index.lines() {
        let body = t
            .http
            .get(t.url(&format!("/.well-known/csaf/white/{path}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let name = path.rsplit('/').next().unwrap();
        std::fs::write(exports.join(format!("demo-{name}")), body).unwrap();
    }
    // The public index and the Atom feed list the same four documents.
    let page = t
        .http
        .get(t.url("/advisories"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("<tr><td><a href=\"/advisories/PSIRT-S")
            .count(),
        4,
        "{page}"
    );
    let feed = t
        .http
        .get(t.url("/advisories/feed.atom"))
        .send()
        .await
        .unwrap();
    assert!(
        feed.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = feed.text().await.unwrap();
    assert_eq!(feed.matches("<entry>").count(), 4);
    assert!(
        feed.starts_with("<?xml")
            && feed.contains("PSIRT-SN-2026-0001")
            && !feed.contains("<script")
    );
    for cve in ["CVE-2026-41001", "CVE-2026-41002", "CVE-2026-41003"] {
        let (_, advisories) = t.get_json("/api/v1/advisories", &admin).await;
        assert!(advisories.to_string().contains(cve), "{cve}");
    }

    // The catalog: three version orders, end-of-support dates, release notes that trace fixes.
    let (_, products) = t.get_json("/api/v1/products", &admin).await;
    let schemes: Vec<&str> = products["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["version_scheme"].as_str().unwrap())
        .collect();
    assert_eq!(
        schemes,
        ["semver", "dotted", "dotted", "declared"],
        "{products}"
    );
    let (_, bms) = t.get_json("/api/v1/products/voltguard-bms", &admin).await;
    assert_eq!(
        bms["declared_order"],
        serde_json::json!(["2.3.1", "3.0.0", "3.1.4", "3.1.4-HF2", "3.2.0"])
    );
    let text = |path: &'static str| {
        let url = t.url(path);
        let http = t.http.clone();
        async move { http.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let eos = text("/end-of-support").await;
    assert!(eos.contains("V1.08.2") && eos.contains("(ended)") && eos.contains("BMS-200"));
    assert_eq!(
        text("/end-of-support/feed.atom")
            .await
            .matches("<entry>")
            .count(),
        13
    );
    let notes = text("/products/sunbridge-hybrid-inverter/versions/V1.13.5").await;
    assert!(
        notes.contains("CVE-2026-41002") || notes.contains("PSIRT-SA-2026"),
        "{notes}"
    );
    let app = text("/products/fleet-cloud-app/feed.atom").await;
    assert_eq!(app.matches("<entry>").count(), 1, "{app}");
}
