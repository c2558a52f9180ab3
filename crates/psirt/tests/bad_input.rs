//! Bad input gets a specific problem+json (API) and nothing is recorded; attacker text never
//! becomes markup.
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

async fn problem(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    assert_eq!(
        r.headers()["content-type"],
        "application/problem+json",
        "status {status}"
    );
    (status, r.json().await.unwrap())
}

async fn count(t: &TestApp) -> i64 {
    let token = psirt::app::admin::create_token(&t.app, "pso@example.com", "count")
        .await
        .unwrap();
    t.get_json("/api/v1/reports", &token).await.1["total"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn every_invalid_field_is_named() {
    let t = TestApp::spawn().await;
    t.staff("pso@example.com", Role::Pso).await;
    let (status, p) = problem(
        t.submit(&json!({"title": "", "description": "x", "version": "v".repeat(301), "reporter": {"email": "not-an-address"}}))
            .await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(p["code"], "validation_failed");
    assert_eq!(p["status"], 422);
    let fields: Vec<(&str, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("title", "required"),
            ("version", "too_long"),
            ("reporter.email", "invalid_email")
        ]
    );

    let (status, p) = problem(t.submit(&json!({"title": "t", "description": "d"})).await).await;
    assert_eq!(status, 422);
    assert_eq!(
        p["errors"][0]["field"], "reporter.email",
        "a named report needs a way to reach the reporter"
    );
    assert_eq!(count(&t).await, 0);
}

#[tokio::test]
async fn malformed_and_unknown_input_is_refused() {
    let t = TestApp::spawn().await;
    t.staff("pso@example.com", Role::Pso).await;
    let post = |body: &'static str, ct: &'static str| {
        t.http
            .post(t.url("/api/v1/reports"))
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let (status, p) = problem(post("{\"title\": ", "application/json").await.unwrap()).await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (400, "malformed_json")
    );
    let (status, p) = problem(
        post(
            r#"{"title":"t","description":"d","severity":"high"}"#,
            "application/json",
        )
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (400, "unknown_field")
    );
    assert!(p["detail"].as_str().unwrap().contains("severity"));
    let (status, p) = problem(
        post(r#"{"title":["t"]}"#, "application/json")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (400, "malformed_json")
    );
    assert!(p["detail"].as_str().unwrap().contains("title"));
    let (status, p) = problem(
        post("title=t", "application/x-www-form-urlencoded")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (415, "unsupported_media_type")
    );
    let (status, p) = problem(
        post("--x\r\nbroken", "multipart/form-data; boundary=x")
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (400, "malformed_multipart")
    );
    let form = reqwest::multipart::Form::new()
        .text("title", "t")
        .text("cvss", "9.8");
    let (status, p) = problem(
        t.http
            .post(t.url("/api/v1/reports"))
            .multipart(form)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (400, "unknown_field")
    );
    assert_eq!(count(&t).await, 0);
}

#[tokio::test]
async fn oversize_bodies_and_files_get_413() {
    let t = TestApp::spawn_with(|c| {
        c.limits.max_body_bytes = 200_000;
        c.limits.max_attachment_bytes = 1_000;
        c.limits.max_attachments = 2;
    })
    .await;
    t.staff("pso@example.com", Role::Pso).await;
    let mut big = report("big");
    big["description"] = json!("A".repeat(300_000));
    let (status, p) = problem(t.submit(&big).await).await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (413, "payload_too_large")
    );

    let file = |n: usize| reqwest::multipart::Part::bytes(vec![b'x'; n]).file_name("cap.pcap");
    let base = || {
        reqwest::multipart::Form::new()
            .text("title", "t")
            .text("description", "d")
            .text("anonymous", "on")
    };
    let (status, p) = problem(
        t.http
            .post(t.url("/api/v1/reports"))
            .multipart(base().part("attachments", file(1_001)))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (413, "payload_too_large")
    );
    let three = base()
        .part("attachments", file(10))
        .part("attachments", file(10))
        .part("attachments", file(10));
    let (status, p) = problem(
        t.http
            .post(t.url("/api/v1/reports"))
            .multipart(three)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, p["code"].as_str().unwrap()),
        (413, "too_many_attachments")
    );
    assert_eq!(count(&t).await, 0);

    let two = base()
        .part("attachments", file(1_000))
        .part("attachments", file(10));
    assert_eq!(
        t.http
            .post(t.url("/api/v1/reports"))
            .multipart(two)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(count(&t).await, 1);
}

#[tokio::test]
async fn public_submissions_are_rate_limited_per_address() {
    let t = TestApp::spawn_with(|c| c.limits.public_submissions_per_minute = 3).await;
    for _ in 0..3 {
        assert_eq!(t.submit(&report("ok")).await.status(), 201);
    }
    let r = t.submit(&report("one too many")).await;
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    let (status, p) = problem(r).await;
    assert_eq!((status, p["code"].as_str().unwrap()), (429, "rate_limited"));
    // Reading is not a submission.
    assert_eq!(
        t.http.get(t.url("/report")).send().await.unwrap().status(),
        200
    );
    let page = t
        .http
        .post(t.url("/report"))
        .multipart(reqwest::multipart::Form::new().text("title", "x"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
}

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "{{ 7*7 }}{% raw %}${7*7}<%= 7*7 %>",
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
];

#[tokio::test]
async fn attacker_text_is_stored_verbatim_and_never_markup() {
    let t = TestApp::spawn().await;
    let pso = t.staff("pso@example.com", Role::Pso).await;
    for payload in PAYLOADS {
        let body = json!({
            "title": payload, "description": payload, "product": payload, "model": payload, "version": payload,
            "technical_details": payload, "reproduction_steps": payload, "disclosure_plans": payload,
            "reporter": {"name": payload, "organization": payload, "job_title": payload, "email": "x@example.org"}
        });
        let r = t.submit(&body).await;
        assert_eq!(r.status(), 201, "{payload}");
        let receipt: Value = r.json().await.unwrap();
        let token = receipt["tracking_token"].as_str().unwrap();
        let msg = t
            .http
            .post(t.url(&format!("/api/v1/track/{token}/messages")))
            .json(&json!({"body": payload}))
            .send()
            .await
            .unwrap();
        assert_eq!(msg.status(), 201);
        let page = t
            .http
            .get(t.url(&format!("/track/{token}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            !page.contains(payload) || !payload.contains(['<', '>', '"']),
            "raw payload in page: {payload}"
        );
        assert!(
            !page.contains("<script>alert")
                && !page.contains("<img src=x")
                && !page.contains("<svg onload")
        );
        assert!(page.contains("&#60;") || !payload.contains('<'));

        // Staff get it back byte for byte.
        let (_, one) = t
            .get_json(
                &format!("/api/v1/reports/{}", receipt["reference"].as_str().unwrap()),
                &pso,
            )
            .await;
        for field in [
            "title",
            "description",
            "product",
            "technical_details",
            "disclosure_plans",
        ] {
            assert_eq!(one[field], *payload, "{field}");
        }
        assert_eq!(one["reporter"]["job_title"], *payload);
    }
    // The form re-shown after an error keeps the payload, escaped.
    let form = reqwest::multipart::Form::new()
        .text("title", PAYLOADS[4])
        .text("description", PAYLOADS[1]);
    let page = t
        .http
        .post(t.url("/report"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("<svg onload") && !page.contains("<img src=x"));
    assert!(page.contains("&#60;/textarea&#62;&#60;svg onload=alert(1)&#62;"));
}

#[tokio::test]
async fn every_page_carries_security_headers() {
    let t = TestApp::spawn().await;
    for path in [
        "/",
        "/report",
        "/healthz",
        "/api/openapi.json",
        "/no-such-page",
        "/api/v1/nothing",
    ] {
        let r = t.http.get(t.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline")
                && !csp.contains("unsafe-eval")
                && csp.contains("script-src 'self';")
                && csp.contains("default-src 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
    let r = t.http.get(t.url("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

/// `GET /api/v1/cvss` (the live calculator's scorer) answers the domain's exact scores, and a
/// bad vector gets `invalid_cvss` naming the metric.
#[tokio::test]
async fn cvss_scores_come_from_the_domain_and_bad_vectors_are_named() {
    let t = TestApp::spawn().await;
    let get = |query: &str| t.http.get(t.url(&format!("/api/v1/cvss{query}"))).send();
    let r = get(
        "?vector=CVSS%3A3.1%2FAV%3AN%2FAC%3AL%2FPR%3AN%2FUI%3AN%2FS%3AU%2FC%3AH%2FI%3AH%2FA%3AN",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        body,
        json!({"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N", "version": "3.1",
            "base_score": 9.1, "base_severity": "Critical"})
    );
    let r = get("?vector=CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U")
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (
            &body["base_score"],
            &body["threat_score"],
            &body["nomenclature"]
        ),
        (&json!(9.3), &json!(8.1), &json!("CVSS-BT"))
    );
    let (status, body) = problem(get("?vector=CVSS:3.1/AV:X").await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("validation_failed"))
    );
    assert_eq!(body["errors"][0]["field"], "vector");
    assert_eq!(body["errors"][0]["code"], "invalid_cvss");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("`AV`"),
        "{body}"
    );
    let (status, body) = problem(get("").await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_query"))
    );
}
