//! The catalog API against the real router: products → models → versions with validation that
//! names the field, conflicts (409), roles (any staff reads, admins and PMs write), version
//! orders (dotted, semver, declared), and cases recording versions and ranges against it.
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

async fn call(t: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    t.call(token, method, path, body).await
}

fn fields(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn versions(detail: &Value) -> Vec<String> {
    detail["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn products_models_and_versions_through_the_api() {
    let t = TestApp::spawn().await;
    let pm = t.staff("pm@example.com", Role::Pm).await;
    let support = t.staff("support@example.com", Role::Support).await;

    let (s, p) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products",
        json!({"name": "SunBridge Hybrid Inverter", "version_scheme": "dotted", "description": "PV inverters"}),
    )
    .await;
    assert_eq!(s, 201, "{p}");
    assert_eq!(p["slug"], "sunbridge-hybrid-inverter");
    let (s, m) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products/sunbridge-hybrid-inverter/models",
        json!({"name": "SB-5K", "end_of_support": "2028-12-31"}),
    )
    .await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["end_of_support"], "2028-12-31");
    assert_eq!(m["end_of_support_announced_at"], common::START);
    for (v, released) in [
        ("V1.12.0", "2026-04-01"),
        ("V1.9.4", "2025-09-01"),
        ("V1.08.2", "2024-11-01"),
        ("V1.13.5", "2026-10-10"),
    ] {
        let (s, b) = call(
            &t,
            &pm,
            Method::POST,
            "/api/v1/products/sunbridge-hybrid-inverter/versions",
            json!({"version": v, "model": "SB-5K", "released": released, "markets": ["de", "FR", "CN"]}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b["markets"], json!(["CN", "DE", "FR"]));
        assert_eq!(b["support"], "supported");
    }

    // Any staff member reads; numbers compare as numbers (V1.9.4 < V1.12.0).
    let (s, list) = call(&t, &support, Method::GET, "/api/v1/products", Value::Null).await;
    assert_eq!((s, list["total"].as_i64()), (200, Some(1)), "{list}");
    assert_eq!(list["items"][0]["version_count"], 4);
    let (s, detail) = call(
        &t,
        &support,
        Method::GET,
        "/api/v1/products/sunbridge-hybrid-inverter",
        Value::Null,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        versions(&detail),
        ["V1.08.2", "V1.9.4", "V1.12.0", "V1.13.5"]
    );
    let (_, vl) = call(
        &t,
        &support,
        Method::GET,
        "/api/v1/products/sunbridge-hybrid-inverter/versions",
        Value::Null,
    )
    .await;
    assert_eq!(vl["total"], 4);
    assert_eq!(vl["items"][1]["version"], "V1.9.4");

    // Only admins and PMs write; no token, no catalog.
    let (s, b) = call(
        &t,
        &support,
        Method::POST,
        "/api/v1/products",
        json!({"name": "X"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (403, Some("forbidden")));
    let r = t.http.get(t.url("/api/v1/products")).send().await.unwrap();
    assert_eq!(r.status(), 401);

    // 422 names every bad field.
    let (s, b) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products/sunbridge-hybrid-inverter/versions",
        json!({"version": "1.2-beta", "model": "SB-9K", "released": "2026-13-01", "end_of_support": "soon",
               "support": "maybe", "markets": ["DE", "XX"]}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (422, Some("validation_failed")),
        "{b}"
    );
    let mut got = fields(&b);
    got.sort();
    assert_eq!(
        got,
        [
            ("end_of_support", "invalid_date"),
            ("markets[1]", "unknown_market"),
            ("model", "unknown_model"),
            ("released", "invalid_date"),
            ("support", "unknown_support_status"),
            ("version", "invalid_version"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );
    let (s, b) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products/sunbridge-hybrid-inverter/versions",
        json!({"version": "V2.0", "released": "2027-01-01", "end_of_support": "2026-01-01"}),
    )
    .await;
    assert_eq!(
        (s, fields(&b)),
        (
            422,
            vec![("end_of_support".into(), "eos_before_release".into())]
        )
    );
    let (s, b) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products",
        json!({"name": "", "slug": "Bad Slug", "version_scheme": "calver", "purl": "npm/x"}),
    )
    .await;
    assert_eq!(s, 422);
    let mut got: Vec<String> = fields(&b).into_iter().map(|(f, _)| f).collect();
    got.sort();
    assert_eq!(got, ["name", "purl", "slug", "version_scheme"]);
    let (s, b) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products",
        json!({"name": "X", "colour": "red"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (400, Some("unknown_field")));

    // 409 for what is taken, naming the field.
    let (s, b) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products",
        json!({"name": "SunBridge Hybrid Inverter", "slug": "other"}),
    )
    .await;
    assert_eq!(
        (s, b["code"].as_str()),
        (409, Some("already_exists")),
        "{b}"
    );
    assert_eq!(fields(&b), [("name".to_owned(), "duplicate".to_owned())]);
    let (s, b) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products/sunbridge-hybrid-inverter/versions",
        json!({"version": "V1.12.0", "model": "SB-5K"}),
    )
    .await;
    assert_eq!(
        (s, fields(&b)),
        (409, vec![("version".into(), "duplicate".into())])
    );
    let (s, b) = call(
        &t,
        &pm,
        Method::POST,
        "/api/v1/products/sunbridge-hybrid-inverter/models",
        json!({"name": "SB-5K"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("already_exists")));

    // Update, then delete: a model with versions stays until they go.
    let id = detail["versions"][0]["id"].as_str().unwrap().to_owned();
    let (s, b) = call(
        &t,
        &pm,
        Method::PATCH,
        &format!("/api/v1/products/sunbridge-hybrid-inverter/versions/{id}"),
        json!({"support": "unsupported", "end_of_support": "2026-06-30"}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["support"].as_str(), b["end_of_support"].as_str()),
        (Some("unsupported"), Some("2026-06-30"))
    );
    let model = m["id"].as_str().unwrap();
    let (s, b) = call(
        &t,
        &pm,
        Method::DELETE,
        &format!("/api/v1/products/sunbridge-hybrid-inverter/models/{model}"),
        Value::Null,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("in_use")), "{b}");
    let (s, _) = call(
        &t,
        &pm,
        Method::DELETE,
        &format!("/api/v1/products/sunbridge-hybrid-inverter/versions/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 204);
    let (s, _) = call(
        &t,
        &pm,
        Method::GET,
        &format!("/api/v1/products/sunbridge-hybrid-inverter/versions/{id}"),
        Value::Null,
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = call(
        &t,
        &pm,
        Method::DELETE,
        "/api/v1/products/sunbridge-hybrid-inverter",
        Value::Null,
    )
    .await;
    assert_eq!(
        s, 204,
        "nothing names the product: it goes with its models and versions"
    );
    let (_, list) = call(&t, &pm, Method::GET, "/api/v1/products", Value::Null).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn declared_and_semver_orders() {
    let t = TestApp::spawn().await;
    let admin = t.staff("admin@example.com", Role::Admin).await;
    let (s, _) = call(
        &t,
        &admin,
        Method::POST,
        "/api/v1/products",
        json!({"name": "VoltGuard BMS", "version_scheme": "declared"}),
    )
    .await;
    assert_eq!(s, 201);
    for v in ["3.1.4", "3.1.4-HF2", "3.2.0", "B07"] {
        let (s, b) = call(
            &t,
            &admin,
            Method::POST,
            "/api/v1/products/voltguard-bms/versions",
            json!({"version": v}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    let (_, d) = call(
        &t,
        &admin,
        Method::GET,
        "/api/v1/products/voltguard-bms",
        Value::Null,
    )
    .await;
    assert_eq!(
        versions(&d),
        ["3.1.4", "3.1.4-HF2", "3.2.0", "B07"],
        "in the order added"
    );
    assert_eq!(
        d["declared_order"],
        json!(["3.1.4", "3.1.4-HF2", "3.2.0", "B07"])
    );
    let (s, b) = call(
        &t,
        &admin,
        Method::PATCH,
        "/api/v1/products/voltguard-bms",
        json!({"declared_order": ["B07", "3.1.4", "3.1.4-HF2"]}),
    )
    .await;
    assert_eq!(
        (s, fields(&b)),
        (
            422,
            vec![("declared_order".into(), "not_a_permutation".into())]
        ),
        "{b}"
    );
    let (s, d) = call(
        &t,
        &admin,
        Method::PATCH,
        "/api/v1/products/voltguard-bms",
        json!({"declared_order": ["B07", "3.1.4", "3.1.4-HF2", "3.2.0"]}),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(versions(&d), ["B07", "3.1.4", "3.1.4-HF2", "3.2.0"]);
    assert_eq!(d["versions"][2]["position"], 3);

    // The versions do not read as semantic versions: the scheme stays.
    let (s, b) = call(
        &t,
        &admin,
        Method::PATCH,
        "/api/v1/products/voltguard-bms",
        json!({"version_scheme": "semver"}),
    )
    .await;
    assert_eq!(
        (s, fields(&b)),
        (
            422,
            vec![("version_scheme".into(), "invalid_version".into())]
        )
    );
    assert!(b["detail"].as_str().unwrap().contains("B07"), "{b}");

    let (_, _) = call(
        &t,
        &admin,
        Method::POST,
        "/api/v1/products",
        json!({"name": "Fleet Cloud App", "version_scheme": "semver"}),
    )
    .await;
    for v in ["6.0.1", "6.0.0-rc.1", "5.9.0", "6.0.0"] {
        let (s, b) = call(
            &t,
            &admin,
            Method::POST,
            "/api/v1/products/fleet-cloud-app/versions",
            json!({"version": v}),
        )
        .await;
        assert_eq!(s, 201, "{b}");
    }
    let (_, d) = call(
        &t,
        &admin,
        Method::GET,
        "/api/v1/products/fleet-cloud-app",
        Value::Null,
    )
    .await;
    assert_eq!(versions(&d), ["5.9.0", "6.0.0-rc.1", "6.0.0", "6.0.1"]);
}

async fn seed_bms(t: &TestApp, token: &str) {
    let (s, b) = call(
        t,
        token,
        Method::POST,
        "/api/v1/catalog/import",
        json!({"format": "psirt-catalog", "version": 1, "products": [{
            "name": "VoltGuard BMS", "slug": "voltguard-bms", "version_scheme": "declared",
            "models": [{"name": "BMS-200"}, {"name": "BMS-400 HV", "end_of_support": "2027-06-30"}],
            "versions": [
                {"version": "3.0.0", "model": "BMS-200", "released": "2025-06-01", "end_of_support": "2027-01-31", "markets": ["DE", "CN"]},
                {"version": "3.1.4", "model": "BMS-200", "released": "2026-01-10"},
                {"version": "3.1.4", "model": "BMS-400 HV", "released": "2026-01-10"},
                {"version": "3.1.4-HF2", "model": "BMS-200", "released": "2026-03-01"},
                {"version": "3.2.0", "model": "BMS-200", "released": "2026-09-01"},
                {"version": "3.2.0", "model": "BMS-400 HV", "released": "2026-09-01"}
            ]}]}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
}

#[tokio::test]
async fn cases_record_versions_and_ranges_against_the_catalog() {
    let t = TestApp::spawn().await;
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let pm = t.staff("pm@example.com", Role::Pm).await;
    seed_bms(&t, &pm).await;
    let r: Value = t
        .submit(&common::report("CAN injection"))
        .await
        .json()
        .await
        .unwrap();
    let reference = r["reference"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/cases/{reference}");
    let (_, case) = t.get_json(&path, &pso).await;

    let (s, b) = call(
        &t,
        &pso,
        Method::PATCH,
        &path,
        json!({"version": case["version"],
            "affected_versions": [{"product": "VoltGuard BMS", "version": "9.9.9"},
                                  {"product": "VoltGuard BMS", "version": ">= 3.9"},
                                  {"product": "Some Other Thing", "version": "< 2"}],
            "fixed_versions": [{"product": "VoltGuard BMS", "version": ">= 3.2.0, < 3.0.0"}]}),
    )
    .await;
    assert_eq!(s, 422, "{b}");
    assert_eq!(
        fields(&b),
        [
            ("affected_versions[0].version", "unknown_version"),
            ("affected_versions[1].version", "invalid_range"),
            ("affected_versions[2].version", "invalid_range"),
            ("fixed_versions[0].version", "invalid_range"),
        ]
        .map(|(f, c)| (f.to_owned(), c.to_owned()))
    );

    let (s, b) = call(
        &t,
        &pso,
        Method::PATCH,
        &path,
        json!({"version": case["version"],
            "affected_versions": [{"product": "VoltGuard BMS", "version": ">=3.0.0,<3.2.0"}],
            "fixed_versions": [{"product": "VoltGuard BMS", "version": "3.2.0"}]}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["affected_versions"],
        json!([{"product": "VoltGuard BMS", "version": ">= 3.0.0, < 3.2.0", "status": "affected", "range": true}])
    );

    // What a case names stays in the catalog; a bound of a declared range too.
    let (_, d) = call(
        &t,
        &pm,
        Method::GET,
        "/api/v1/products/voltguard-bms",
        Value::Null,
    )
    .await;
    let id_of = |v: &str, m: &str| {
        d["versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["version"] == v && x["model"] == m)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (v, m) in [("3.2.0", "BMS-400 HV"), ("3.0.0", "BMS-200")] {
        let (s, b) = call(
            &t,
            &pm,
            Method::DELETE,
            &format!("/api/v1/products/voltguard-bms/versions/{}", id_of(v, m)),
            Value::Null,
        )
        .await;
        if v == "3.2.0" {
            assert_eq!(s, 204, "another model keeps 3.2.0: {b}");
        } else {
            assert_eq!((s, b["code"].as_str()), (409, Some("in_use")), "{b}");
        }
    }
    let (s, b) = call(
        &t,
        &pm,
        Method::PATCH,
        &format!(
            "/api/v1/products/voltguard-bms/versions/{}",
            id_of("3.2.0", "BMS-200")
        ),
        json!({"version": "3.2.1"}),
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("in_use")), "{b}");
    let (s, b) = call(
        &t,
        &pm,
        Method::DELETE,
        "/api/v1/products/voltguard-bms",
        Value::Null,
    )
    .await;
    assert_eq!((s, b["code"].as_str()), (409, Some("in_use")));
    assert!(
        !b["detail"].as_str().unwrap().contains(&reference),
        "no case named: {b}"
    );

    // A new name carries over to what cases say.
    let (s, b) = call(
        &t,
        &pm,
        Method::PATCH,
        "/api/v1/products/voltguard-bms",
        json!({"name": "VoltGuard BMS Gen 3"}),
    )
    .await;
    assert_eq!(s, 200, "{b}");
    let (_, case) = t.get_json(&path, &pso).await;
    assert_eq!(case["fixed_versions"][0]["product"], "VoltGuard BMS Gen 3");
    assert_eq!(case["product"], "VoltGuard BMS Gen 3");
}
