//! Advisories through the API: drafted from cases, approved by a second PSO (edits withdraw the
//! approval), publication gates with recorded overrides, the published page served byte for byte.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::{TestApp, report};
use psirt_domain::report::Role;
use serde_json::{Value, json};

async fn call(
    t: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let r = t
        .http
        .request(method, t.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_advisory_goes_from_draft_to_published() {
    let t = TestApp::spawn_with(|c| {
        c.organization.cve_org_id = Some("b3476cb9-2e3d-41a6-98d0-0f47421a65b6".into())
    })
    .await;
    let alice = t.staff("alice@example.com", Role::Pso).await;
    let bob = t.staff("bob@example.com", Role::Pso).await;
    let r: Value = t
        .submit(&report("Unsigned OTA image accepted"))
        .await
        .json()
        .await
        .unwrap();
    let reference = r["reference"].as_str().unwrap().to_owned();
    let (_, case) = t
        .get_json(&format!("/api/v1/cases/{reference}"), &alice)
        .await;
    let (s, b) = call(
        &t,
        &alice,
        reqwest::Method::PATCH,
        &format!("/api/v1/cases/{reference}"),
        json!({
        "version": case["version"], "cwe": "CWE-347",
        "cvss_v3_1": {"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
        "affected_versions": [{"product": "VoltGuard BMS", "version": "3.1.4"}],
        "fixed_versions": [{"product": "VoltGuard BMS", "version": "3.2.0"}]}),
    )
    .await;
    assert_eq!(s, 200, "{b}");

    let draft = json!({"title": "VoltGuard BMS accepts unsigned firmware", "summary": "The bootloader checks only a CRC.",
        "remediation": "Update to 3.2.0 over the air or with the offline tool.", "cases": [{"reference": reference, "cve": "CVE-2026-10001"}]});
    let (s, adv) = call(
        &t,
        &alice,
        reqwest::Method::POST,
        "/api/v1/advisories",
        draft.clone(),
    )
    .await;
    assert_eq!(s, 201, "{adv}");
    assert_eq!(adv["tracking_id"], "PSIRT-SA-2026-0001");
    assert_eq!(adv["state"], "draft");
    let id = adv["id"].as_str().unwrap().to_owned();
    let blocked: Vec<String> = adv["blocked_by"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_owned())
        .collect();
    assert!(
        blocked.iter().any(|g| g.starts_with("no_fix"))
            && blocked.iter().any(|g| g.starts_with("undisclosed_case")),
        "{blocked:?}"
    );

    let (s, b) = call(
        &t,
        &alice,
        reqwest::Method::POST,
        &format!("/api/v1/advisories/{id}/approve"),
        json!({"version": adv["version"]}),
    )
    .await;
    assert_eq!(s, 409, "the author cannot approve: {b}");
    let (s, adv) = call(
        &t,
        &bob,
        reqwest::Method::POST,
        &format!("/api/v1/advisories/{id}/approve"),
        json!({"version": adv["version"]}),
    )
    .await;
    assert_eq!((s, adv["state"].as_str()), (200, Some("approved")), "{adv}");
    let mut edit = draft.clone();
    edit["version"] = adv["version"].clone();
    edit["summary"] = json!("The bootloader checks only a CRC32 of the image.");
    let (s, adv) = call(
        &t,
        &alice,
        reqwest::Method::PATCH,
        &format!("/api/v1/advisories/{id}"),
        edit,
    )
    .await;
    assert_eq!(
        (s, adv["state"].as_str(), adv["approved"].as_bool()),
        (200, Some("draft"), Some(false)),
        "an edit withdraws approval: {adv}"
    );
    let (_, adv) = call(
        &t,
        &bob,
        reqwest::Method::POST,
        &format!("/api/v1/advisories/{id}/approve"),
        json!({"version": adv["version"]}),
    )
    .await;

    // Gates: no fix yet, case not approved for disclosure.
    let (s, b) = call(
        &t,
        &alice,
        reqwest::Method::POST,
        &format!("/api/v1/advisories/{id}/publish"),
        json!({"version": adv["version"]}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("validation_failed")),
        "{b}"
    );
    let gates: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(gates.iter().any(|g| g.starts_with("no_fix")), "{gates:?}");
    assert_eq!(
        t.http
            .get(t.url("/advisories/PSIRT-SA-2026-0001"))
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "nothing half-published"
    );

    // A PSO overrides both gates with reasons (e.g. active exploitation, a coordinated date).
    let overrides = json!([{"gate": "no_fix", "reason": "actively exploited: customers need the mitigation now"},
                           {"gate": "undisclosed_case", "reason": "coordinated disclosure date reached"}]);
    let (s, b) = call(
        &t,
        &alice,
        reqwest::Method::POST,
        &format!("/api/v1/advisories/{id}/publish"),
        json!({"version": adv["version"], "overrides": [{"gate": "no_fix", "reason": " "}]}),
    )
    .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (422, Some("overrides[0].reason"))
    );
    let (s, adv) = call(
        &t,
        &alice,
        reqwest::Method::POST,
        &format!("/api/v1/advisories/{id}/publish"),
        json!({"version": adv["version"], "overrides": overrides}),
    )
    .await;
    assert_eq!(
        (s, adv["state"].as_str(), adv["revision"].as_i64()),
        (200, Some("published"), Some(1)),
        "{adv}"
    );

    let page = t
        .http
        .get(t.url("/advisories/PSIRT-SA-2026-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let etag = page.headers()["etag"].to_str().unwrap().to_owned();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("VoltGuard BMS accepts unsigned firmware")
            && html.contains("CVE-2026-10001")
            && html.contains("CWE-347")
    );
    assert!(html.contains("3.2.0") && html.contains("fixed") && html.contains("Initial release"));
    let again = t
        .http
        .get(t.url("/advisories/PSIRT-SA-2026-0001"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.headers()["etag"].to_str().unwrap(),
        etag,
        "served byte for byte"
    );
    let (_, trail) = t
        .get_json(&format!("/api/v1/cases/{reference}/audit"), &alice)
        .await;
    assert!(trail.is_array());

    // The CSAF provider directory, served by psirt itself.
    let get = |path: &str| {
        let url = t.url(path);
        let http = t.http.clone();
        async move {
            let r = http.get(url).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s, meta) = get("/.well-known/csaf/provider-metadata.json").await;
    assert_eq!(s, 200);
    let meta: Value = serde_json::from_str(&meta).unwrap();
    assert_eq!(meta["metadata_version"], "2.0");
    assert_eq!(meta["publisher"]["category"], "vendor");
    let (s, index) = get("/.well-known/csaf/white/index.txt").await;
    assert_eq!((s, index.as_str()), (200, "2026/psirt-sa-2026-0001.json\n"));
    let (_, changes) = get("/.well-known/csaf/white/changes.csv").await;
    assert!(
        changes.starts_with("\"2026/psirt-sa-2026-0001.json\",\"2026-11-25T09:00:00"),
        "{changes}"
    );
    let (s, csaf) = get("/.well-known/csaf/white/2026/psirt-sa-2026-0001.json").await;
    assert_eq!(s, 200, "{csaf}");
    let doc: Value = serde_json::from_str(&csaf).unwrap();
    assert_eq!(doc["document"]["category"], "csaf_security_advisory");
    assert_eq!(doc["document"]["tracking"]["id"], "PSIRT-SA-2026-0001");
    assert_eq!(doc["vulnerabilities"][0]["cve"], "CVE-2026-10001");
    let (_, sha256) = get("/.well-known/csaf/white/2026/psirt-sa-2026-0001.json.sha256").await;
    use sha2::Digest;
    let want = data_encoding::HEXLOWER.encode(&sha2::Sha256::digest(csaf.as_bytes()));
    assert_eq!(sha256, format!("{want}  psirt-sa-2026-0001.json\n"));
    let (_, sha512) = get("/.well-known/csaf/white/2026/psirt-sa-2026-0001.json.sha512").await;
    assert_eq!(sha512.split_whitespace().next().unwrap().len(), 128);
    let (_, feed) = get("/.well-known/csaf/white/feed-tlp-white.json").await;
    let feed: Value = serde_json::from_str(&feed).unwrap();
    assert_eq!(feed["feed"]["entry"][0]["id"], "PSIRT-SA-2026-0001");
    let (s, record) = get("/advisories/PSIRT-SA-2026-0001/cve/CVE-2026-10001.json").await;
    assert_eq!(s, 200, "{record}");
    let (s, _) = get("/advisories/PSIRT-SA-2026-0001/openvex.json").await;
    assert_eq!(s, 200);
    let (s, sectxt) = get("/.well-known/security.txt").await;
    assert_eq!(s, 200);
    assert!(
        sectxt.contains("Contact: mailto:security@example.com")
            && sectxt.contains("Expires: ")
            && sectxt.contains("CSAF: ")
    );

    // Kept for the independent validators of .ci/validate-exports.
    let exports = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/exports");
    for (dir, name, body) in [
        ("published-csaf", "psirt-sa-2026-0001.json", &csaf),
        ("published-cve", "CVE-2026-10001.record.json", &record),
    ] {
        std::fs::create_dir_all(exports.join(dir)).unwrap();
        std::fs::write(exports.join(dir).join(name), body).unwrap();
    }
}

#[tokio::test]
async fn advisories_need_valid_input_and_obey_need_to_know() {
    let t = TestApp::spawn().await;
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let rd = t.staff("rd@example.com", Role::Rd).await;
    let r: Value = t.submit(&report("x")).await.json().await.unwrap();
    let reference = r["reference"].as_str().unwrap();
    let (s, b) = call(
        &t,
        &pso,
        reqwest::Method::POST,
        "/api/v1/advisories",
        json!({"title": "", "summary": "s", "tlp": "PURPLE",
        "cases": [{"reference": reference, "cve": "CVE-26-1"}]}),
    )
    .await;
    assert_eq!(s, 422);
    let fields: Vec<&str> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "tlp", "cases[0].cve"]);
    let (s, b) = call(
        &t,
        &pso,
        reqwest::Method::POST,
        "/api/v1/advisories",
        json!({"title": "t", "summary": "s", "cases": []}),
    )
    .await;
    assert_eq!(
        (s, b["errors"][0]["field"].as_str()),
        (422, Some("cases")),
        "an advisory covers a case"
    );
    let (s, _) = call(
        &t,
        &pso,
        reqwest::Method::POST,
        "/api/v1/advisories",
        json!({"title": "t", "summary": "s", "cases": [{"reference": reference}]}),
    )
    .await;
    assert_eq!(s, 201);
    let (s, list) = t.get_json("/api/v1/advisories", &rd).await;
    assert_eq!(
        (s, list.as_array().map(Vec::len)),
        (200, Some(0)),
        "an advisory about an undisclosed case is need-to-know"
    );
    assert_eq!(
        t.get_json("/api/v1/advisories/PSIRT-SA-2026-0001", &rd)
            .await
            .0,
        404
    );
    let (s, _) = call(
        &t,
        &rd,
        reqwest::Method::POST,
        "/api/v1/advisories",
        json!({"title": "t", "summary": "s", "kind": "notice"}),
    )
    .await;
    assert_eq!(s, 403);
}
