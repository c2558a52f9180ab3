//! What the public sees of the catalog: a published advisory whose case records a range shows
//! the catalog's versions in order in CSAF and OSV, on the product page, in the release notes
//! of the version that fixes it and in the product's Atom feed; nothing about an unpublished
//! advisory appears; end-of-support announcements as a page and a well-formed Atom feed.
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

async fn page(t: &TestApp, path: &str) -> (u16, String, String) {
    let r = t.http.get(t.url(path)).send().await.unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (r.status().as_u16(), ct, r.text().await.unwrap())
}

/// Parses an Atom feed (well-formed XML or the test fails) into (feed title, entry titles).
fn atom(xml: &str) -> (String, Vec<String>) {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let feed = doc.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let text = |n: roxmltree::Node, tag: &str| -> String {
        n.children()
            .find(|c| c.tag_name().name() == tag)
            .and_then(|c| c.text())
            .unwrap_or_default()
            .to_owned()
    };
    for required in ["id", "title", "updated"] {
        assert!(!text(feed, required).is_empty(), "feed {required}");
    }
    assert!(text(feed, "updated").parse::<jiff::Timestamp>().is_ok());
    let entries = feed
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .map(|e| {
            for required in ["id", "title", "updated"] {
                assert!(!text(e, required).is_empty(), "entry {required}");
            }
            assert!(text(e, "updated").parse::<jiff::Timestamp>().is_ok());
            text(e, "title")
        })
        .collect();
    (text(feed, "title"), entries)
}

async fn case_with_versions(
    t: &TestApp,
    pso: &str,
    title: &str,
    affected: &str,
    fixed: &str,
) -> String {
    let r: Value = t.submit(&common::report(title)).await.json().await.unwrap();
    let reference = r["reference"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cases/{reference}");
    let (_, case) = t.get_json(&path, pso).await;
    let (s, b) = t
        .call(
            pso,
            Method::PATCH,
            &path,
            json!({"version": case["version"], "cwe": "CWE-347",
                "cvss_v3_1": {"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
                "affected_versions": [{"product": "VoltGuard BMS", "version": affected}],
                "fixed_versions": [{"product": "VoltGuard BMS", "version": fixed}]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    reference
}

/// Drafts an advisory for a case and has a second PSO approve it; returns (id, version).
async fn approved(
    t: &TestApp,
    alice: &str,
    bob: &str,
    reference: &str,
    title: &str,
) -> (String, Value) {
    let (s, adv) = t
        .call(
            alice,
            Method::POST,
            "/api/v1/advisories",
            json!({"title": title, "summary": "Update <now> & \"soon\".", "remediation": "Update to 3.2.0.",
                "cases": [{"reference": reference}]}),
        )
        .await;
    assert_eq!(s, 201, "{adv}");
    let id = adv["id"].as_str().unwrap().to_owned();
    let (s, adv) = t
        .call(
            bob,
            Method::POST,
            &format!("/api/v1/advisories/{id}/approve"),
            json!({"version": adv["version"]}),
        )
        .await;
    assert_eq!(s, 200, "{adv}");
    (id, adv["version"].clone())
}

#[tokio::test]
async fn published_advisories_reach_release_notes_and_feeds() {
    let t = TestApp::spawn().await;
    let alice = t.staff("alice@example.com", Role::Pso).await;
    let bob = t.staff("bob@example.com", Role::Pso).await;
    let pm = t.staff("pm@example.com", Role::Pm).await;
    let (s, b) = t
        .call(
            &pm,
            Method::POST,
            "/api/v1/catalog/import",
            json!({"format": "psirt-catalog", "version": 1, "products": [{
                "name": "VoltGuard BMS", "slug": "voltguard-bms", "version_scheme": "declared",
                "models": [{"name": "BMS-200", "end_of_support": "2027-06-30"}, {"name": "BMS-400 HV"}],
                "versions": [
                    {"version": "2.9.9", "model": "BMS-200", "released": "2024-01-01", "support": "unsupported", "end_of_support": "2025-01-31"},
                    {"version": "3.0.0", "model": "BMS-200", "released": "2025-06-01", "support": "security_only", "end_of_support": "2026-12-31"},
                    {"version": "3.1.4", "model": "BMS-200", "released": "2026-01-10"},
                    {"version": "3.1.4", "model": "BMS-400 HV", "released": "2026-01-10"},
                    {"version": "3.1.4-HF2", "model": "BMS-200", "released": "2026-03-01"},
                    {"version": "3.2.0", "model": "BMS-200", "released": "2026-09-01"}
                ]}]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let published = case_with_versions(
        &t,
        &alice,
        "Unsigned OTA image",
        ">= 3.0.0, < 3.2.0",
        "3.2.0",
    )
    .await;
    let secret = case_with_versions(&t, &alice, "Undisclosed CAN flaw", "3.2.0", "3.2.0").await;

    let (id, version) = approved(
        &t,
        &alice,
        &bob,
        &published,
        "VoltGuard BMS <accepts> unsigned & firmware",
    )
    .await;
    let overrides = json!([{"gate": "no_fix", "reason": "mitigation available"},
                           {"gate": "undisclosed_case", "reason": "coordinated date reached"}]);
    let (s, adv) = t
        .call(
            &alice,
            Method::POST,
            &format!("/api/v1/advisories/{id}/publish"),
            json!({"version": version, "overrides": overrides}),
        )
        .await;
    assert_eq!(s, 200, "{adv}");
    let tracking = adv["tracking_id"].as_str().unwrap().to_owned();
    // The second advisory is approved but never published.
    let (unpublished, _) = approved(&t, &alice, &bob, &secret, "Secret CAN flaw").await;

    // CSAF: the range stands for the catalog's versions of every model, in declared order
    // (3.1.4-HF2 after 3.1.4 and 2.9.9 outside); OSV lists them without a SEMVER range.
    let (_, _, csaf) = page(
        &t,
        &format!(
            "/.well-known/csaf/white/2026/{}.json",
            tracking.to_lowercase()
        ),
    )
    .await;
    let csaf: Value = serde_json::from_str(&csaf).unwrap();
    let mut names = Vec::new();
    for family in csaf["product_tree"]["branches"][0]["branches"][0]["branches"]
        .as_array()
        .unwrap()
    {
        for v in family["branches"].as_array().unwrap() {
            names.push(format!(
                "{} {}",
                family["name"].as_str().unwrap(),
                v["name"].as_str().unwrap()
            ));
        }
    }
    assert_eq!(
        names,
        [
            "VoltGuard BMS BMS-200 3.0.0",
            "VoltGuard BMS BMS-200 3.1.4",
            "VoltGuard BMS BMS-200 3.1.4-HF2",
            "VoltGuard BMS BMS-200 3.2.0",
            "VoltGuard BMS BMS-400 HV 3.1.4",
        ],
        "{csaf}"
    );
    assert_eq!(
        csaf["vulnerabilities"][0]["product_status"]["known_affected"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    let (s, _, osv) = page(
        &t,
        &format!("/advisories/{tracking}/osv/x_{published}.json"),
    )
    .await;
    assert_eq!(s, 200);
    let osv: Value = serde_json::from_str(&osv).unwrap();
    let first = &osv["affected"][0];
    assert_eq!(first["versions"], json!(["3.0.0", "3.1.4", "3.1.4-HF2"]));
    assert!(
        first.get("ranges").is_none(),
        "a declared order is no SEMVER order: {first}"
    );
    assert_eq!(first["database_specific"]["version_scheme"], "declared");

    // Public pages: product, release notes of the fixing version, feed.
    let (s, _, html) = page(&t, "/products").await;
    assert_eq!(s, 200);
    assert!(html.contains("/products/voltguard-bms"));
    let (s, _, html) = page(&t, "/products/voltguard-bms").await;
    assert_eq!(s, 200);
    assert!(
        html.contains(&tracking)
            && html.contains("VoltGuard BMS &#60;accepts&#62; unsigned &#38; firmware"),
        "{html}"
    );
    assert!(
        html.contains("/products/voltguard-bms/feed.atom"),
        "the page links its feed"
    );
    assert!(
        !html.contains("Secret CAN flaw") && !html.contains(&secret),
        "need-to-know"
    );
    let newest_first: Vec<usize> = ["3.2.0", "3.1.4-HF2", "3.0.0", "2.9.9"]
        .iter()
        .map(|v| html.find(&format!(">{v}</a>")).unwrap())
        .collect();
    assert!(
        newest_first.windows(2).all(|w| w[0] < w[1]),
        "newest first in declared order"
    );

    let (s, _, notes) = page(&t, "/products/voltguard-bms/versions/3.2.0").await;
    assert_eq!(s, 200);
    let fixes = notes.split("Known vulnerabilities").next().unwrap();
    assert!(fixes.contains(&tracking), "3.2.0 fixes it: {notes}");
    assert!(
        !notes.contains("Secret CAN flaw"),
        "an unpublished advisory is not named"
    );
    let (_, _, notes) = page(&t, "/products/voltguard-bms/versions/3.1.4-HF2").await;
    let affected = notes.split("Known vulnerabilities").nth(1).unwrap();
    assert!(affected.contains(&tracking), "{notes}");
    let (s, _, _) = page(&t, "/products/voltguard-bms/versions/9.9").await;
    assert_eq!(s, 404);

    let (s, ct, xml) = page(&t, "/products/voltguard-bms/feed.atom").await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("application/atom+xml"));
    let (title, entries) = atom(&xml);
    assert!(title.contains("VoltGuard BMS"));
    assert_eq!(
        entries,
        [format!(
            "{tracking}: VoltGuard BMS <accepts> unsigned & firmware"
        )]
    );
    assert!(!xml.contains("Secret"));
    let (s, _, _) = page(&t, "/products/nothing-here/feed.atom").await;
    assert_eq!(s, 404);
    let (_, _, advisory_page) = page(&t, &format!("/advisories/{unpublished}")).await;
    assert!(!advisory_page.contains("Secret CAN flaw"));

    // End of support: the page and the feed, soonest first, ended ones marked.
    let (s, _, html) = page(&t, "/end-of-support").await;
    assert_eq!(s, 200);
    let order: Vec<usize> = ["2025-01-31", "2026-12-31", "2027-06-30"]
        .iter()
        .map(|d| html.find(d).unwrap())
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{html}");
    assert!(html.contains("(ended)"));
    let (s, ct, xml) = page(&t, "/end-of-support/feed.atom").await;
    assert_eq!(s, 200);
    assert!(ct.starts_with("application/atom+xml"));
    let (_, entries) = atom(&xml);
    assert_eq!(entries.len(), 3, "{xml}");
    assert!(
        entries
            .iter()
            .any(|e| e.contains("BMS-400 HV") || e.contains("BMS-200 version 2.9.9"))
    );
}

#[tokio::test]
async fn feeds_escape_what_staff_typed() {
    let t = TestApp::spawn().await;
    let pm = t.staff("pm@example.com", Role::Pm).await;
    let (s, b) = t
        .call(
            &pm,
            Method::POST,
            "/api/v1/products",
            json!({"name": "Gate <b>\"X\"</b> & ]]> 'Y'", "slug": "gate-x"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (s, b) = t
        .call(
            &pm,
            Method::POST,
            "/api/v1/products/gate-x/versions",
            json!({"version": "1.0", "end_of_support": "2027-01-01"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let (_, _, xml) = page(&t, "/end-of-support/feed.atom").await;
    let (_, entries) = atom(&xml);
    assert_eq!(
        entries,
        ["End of support: Gate <b>\"X\"</b> & ]]> 'Y' version 1.0 on 2027-01-01"]
    );
    let (_, _, xml) = page(&t, "/products/gate-x/feed.atom").await;
    let (title, entries) = atom(&xml);
    assert!(title.contains("Gate <b>\"X\"</b> & ]]> 'Y'"));
    assert!(entries.is_empty());
    let (_, _, html) = page(&t, "/products/gate-x").await;
    assert!(html.contains("Gate &#60;b&#62;") && !html.contains("<b>\"X\""));
}
