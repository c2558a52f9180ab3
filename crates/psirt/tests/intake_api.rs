//! Intake over the JSON API, the reporter's tracking endpoints, and staff reads under need-to-know.
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

#[tokio::test]
async fn a_report_is_received_tracked_and_read_by_staff() {
    let t = TestApp::spawn().await;
    let r = t.submit(&report("Unsigned OTA image accepted")).await;
    assert_eq!(r.status(), 201);
    let receipt: Value = r.json().await.unwrap();
    assert_eq!(receipt["reference"], "PSIRT-2026-0001");
    assert_eq!(receipt["received_at"], "2026-11-25T09:00:00Z");
    let token = receipt["tracking_token"].as_str().unwrap();
    assert!(
        token.len() >= 43,
        "token carries at least 256 bits: {token}"
    );
    assert_eq!(
        receipt["tracking_url"],
        format!("{}/track/{token}", t.app.config.public_url())
    );
    assert!(receipt["id"].as_str().is_some_and(|id| !id.is_empty()));

    // The reporter follows up.
    let track = t
        .http
        .get(t.url(&format!("/api/v1/track/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(track.status(), 200);
    let view: Value = track.json().await.unwrap();
    assert_eq!(view["reference"], "PSIRT-2026-0001");
    assert_eq!(view["status"], "received");
    assert_eq!(view["messages"], json!([]));
    let posted = t
        .http
        .post(t.url(&format!("/api/v1/track/{token}/messages")))
        .json(&json!({"body": "Here is a second capture."}))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    let view: Value = t
        .http
        .get(t.url(&format!("/api/v1/track/{token}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["messages"][0]["body"], "Here is a second capture.");
    assert_eq!(view["messages"][0]["author"], "reporter");

    // A wrong token opens nothing.
    let wrong = t
        .http
        .get(t.url("/api/v1/track/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    assert_eq!(wrong.headers()["content-type"], "application/problem+json");

    // Staff read it.
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let (status, list) = t.get_json("/api/v1/reports", &pso).await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["reference"], "PSIRT-2026-0001");
    let (status, one) = t.get_json("/api/v1/reports/PSIRT-2026-0001", &pso).await;
    assert_eq!(status, 200);
    assert_eq!(one["reporter"]["email"], "mei@example.org");
    assert_eq!(one["product"], "VoltGuard BMS");
    assert_eq!(one["channel"], "api");
    assert_eq!(one["messages"][0]["body"], "Here is a second capture.");
    assert_eq!(one["messages"][0]["visibility"], "reporter");
}

#[tokio::test]
async fn staff_endpoints_need_a_valid_token() {
    let t = TestApp::spawn().await;
    let r = t.http.get(t.url("/api/v1/reports")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["code"], "unauthenticated");
    let (status, _) = t.get_json("/api/v1/reports", "psirt_not-a-token").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn need_to_know_applies_to_reads_lists_and_counts() {
    let t = TestApp::spawn().await;
    for title in ["First", "Second", "Third"] {
        assert_eq!(t.submit(&report(title)).await.status(), 201);
    }
    let rd = t.staff("rd@example.com", Role::Rd).await;
    let (status, list) = t.get_json("/api/v1/reports", &rd).await;
    assert_eq!(status, 200);
    assert_eq!(list, json!({"items": [], "total": 0}));
    let (status, problem) = t.get_json("/api/v1/reports/PSIRT-2026-0002", &rd).await;
    assert_eq!(status, 404, "an ungranted report looks like a missing one");
    assert_eq!(problem["code"], "not_found");

    psirt::app::admin::grant_report(&t.app, "rd@example.com", "PSIRT-2026-0002")
        .await
        .unwrap();
    let (_, list) = t.get_json("/api/v1/reports", &rd).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["reference"], "PSIRT-2026-0002");
    assert_eq!(
        t.get_json("/api/v1/reports/PSIRT-2026-0002", &rd).await.0,
        200
    );
    assert_eq!(
        t.get_json("/api/v1/reports/PSIRT-2026-0003", &rd).await.0,
        404
    );

    let admin = t.staff("admin@example.com", Role::Admin).await;
    assert_eq!(t.get_json("/api/v1/reports", &admin).await.1["total"], 3);
}

#[tokio::test]
async fn multipart_reports_keep_files_for_staff_only_as_downloads() {
    let t = TestApp::spawn().await;
    let html = "<html><script>alert(document.cookie)</script></html>";
    let form = reqwest::multipart::Form::new()
        .text("title", "XSS in web UI")
        .text("description", "See PoC.")
        .text("anonymous", "on")
        .part(
            "attachments",
            reqwest::multipart::Part::bytes(html.as_bytes().to_vec())
                .file_name("../../poc.html")
                .mime_str("text/html")
                .unwrap(),
        );
    let r = t
        .http
        .post(t.url("/api/v1/reports"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let (_, one) = t.get_json("/api/v1/reports/PSIRT-2026-0001", &pso).await;
    assert_eq!(one["anonymous"], true);
    assert_eq!(one["reporter"]["email"], Value::Null);
    let file = &one["attachments"][0];
    assert_eq!(file["file_name"], "poc.html");
    assert_eq!(file["size"], html.len());
    let download = file["download"].as_str().unwrap();

    let r = t
        .http
        .get(t.url(download))
        .bearer_auth(&pso)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/octet-stream");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(r.text().await.unwrap(), html);

    let rd = t.staff("rd@example.com", Role::Rd).await;
    assert_eq!(
        t.http
            .get(t.url(download))
            .bearer_auth(&rd)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        t.http.get(t.url(download)).send().await.unwrap().status(),
        401
    );
}
