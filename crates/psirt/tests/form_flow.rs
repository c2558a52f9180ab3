//! The researcher's path through the public pages with a plain HTTP client: no JavaScript, no
//! account, no cookies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::TestApp;
use psirt_domain::report::Role;
use reqwest::multipart::{Form, Part};

fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .map(|i| i + start.len())
        .unwrap_or_else(|| panic!("{start:?} not in page"));
    let to = page[from..].find(end).map(|i| from + i).unwrap();
    &page[from..to]
}

#[tokio::test]
async fn policy_page_is_rendered_from_the_active_policy() {
    let t = TestApp::spawn_with(|c| c.organization.policy = "iec62443".into()).await;
    let page = t
        .http
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let policy = &t.app.policy;
    assert!(page.contains(&policy.name), "policy name shown");
    for m in &policy.milestones {
        assert!(
            page.contains(&askama_escape(&m.name)),
            "milestone {} shown",
            m.name
        );
    }
    assert!(
        page.contains("10 working days"),
        "seed 002's initial assessment"
    );
    assert!(page.contains("Safe harbour") && page.contains("Confidentiality until disclosure"));
    assert!(page.contains("href=\"/report\""));
    assert!(!page.contains("<script"), "no script on public pages");
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn a_researcher_reports_through_the_form_and_follows_up() {
    let t = TestApp::spawn().await;
    psirt::app::demo::load(&t.app).await.unwrap();
    let form = t.http.get(t.url("/report")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let page = form.text().await.unwrap();
    assert!(
        page.contains("enctype=\"multipart/form-data\"")
            && page.contains("name=\"reporter.email\"")
    );
    assert!(
        page.contains("<option value=\"VoltGuard BMS\">"),
        "catalog products offered"
    );
    assert!(
        page.contains("<option value=\"BMS-400 HV\">") && page.contains("<option value=\"3.1.4\">")
    );

    // A mistake: the form comes back with every typed value and a message by the field.
    let typed = || {
        Form::new()
            .text("reporter.name", "Mei Lin")
            .text("reporter.organization", "Northgate Labs")
            .text("reporter.job_title", "Researcher")
            .text("product", "VoltGuard BMS")
            .text("model", "BMS-400 HV")
            .text("version", "3.1.4")
            .text("title", "Unsigned OTA accepted")
            .text("description", "Line one\nLine two & <three>")
            .text("technical_details", "bootloader CRC only")
            .text("reproduction_steps", "1. capture\n2. replay")
            .text("disclosure_plans", "90 days")
    };
    let r = t
        .http
        .post(t.url("/report"))
        .multipart(typed().text("reporter.email", "mei at northgate").part(
            "attachments",
            Part::bytes(b"pcap".to_vec()).file_name("cap.pcap"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let page = r.text().await.unwrap();
    assert!(page.contains("role=\"alert\""));
    assert!(
        page.contains("id=\"reporter.email-error\""),
        "message next to the field"
    );
    assert!(
        page.contains("value=\"mei at northgate\""),
        "bad value kept"
    );
    assert!(page.contains("value=\"Northgate Labs\"") && page.contains("value=\"3.1.4\""));
    assert!(
        page.contains("Line one\nLine two &#38; &#60;three&#62;</textarea>"),
        "textarea text kept, escaped"
    );
    assert!(
        page.contains("Attached files were not kept"),
        "the page says files must be chosen again"
    );
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let before = t.get_json("/api/v1/reports", &pso).await.1["total"]
        .as_i64()
        .unwrap();

    // Corrected: received.
    let r = t
        .http
        .post(t.url("/report"))
        .multipart(
            typed()
                .text("reporter.email", "mei@northgate.example")
                .part(
                    "attachments",
                    Part::bytes(b"pcap".to_vec()).file_name("cap.pcap"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let page = r.text().await.unwrap();
    let reference = between(&page, "<dt>Reference</dt><dd><strong>", "</strong>").to_owned();
    assert!(reference.starts_with("PSIRT-2026-"), "{reference}");
    let tracking = between(
        &page,
        "<dt>Your private tracking link</dt><dd><a href=\"",
        "\"",
    )
    .to_owned();
    assert!(tracking.starts_with("/track/"));
    assert_eq!(
        t.get_json("/api/v1/reports", &pso).await.1["total"]
            .as_i64()
            .unwrap(),
        before + 1
    );
    let (_, stored) = t
        .get_json(&format!("/api/v1/reports/{reference}"), &pso)
        .await;
    assert_eq!(stored["channel"], "web");
    assert_eq!(stored["description"], "Line one\nLine two & <three>");
    assert_eq!(stored["attachments"][0]["file_name"], "cap.pcap");

    // The tracking page, then a message with a file through its form.
    let page = t
        .http
        .get(t.url(&tracking))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&reference) && page.contains("received"));
    let empty = t
        .http
        .post(t.url(&format!("{tracking}/messages")))
        .multipart(Form::new().text("body", "  "))
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), 422);
    let r = t
        .http
        .post(t.url(&format!("{tracking}/messages")))
        .multipart(Form::new().text("body", "Firmware dump attached.").part(
            "attachments",
            Part::bytes(b"bin".to_vec()).file_name("dump.bin"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], tracking.as_str());
    let page = t
        .http
        .get(t.url(&tracking))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Firmware dump attached.") && page.contains("dump.bin"));
}

#[tokio::test]
async fn the_setup_link_creates_the_first_admin_once() {
    let t = TestApp::spawn().await;
    let link = psirt::app::admin::setup_link(&t.app)
        .await
        .unwrap()
        .expect("no admin yet");
    let path = link
        .trim_start_matches(&t.app.config.public_url())
        .to_owned();
    assert_eq!(t.http.get(t.url(&path)).send().await.unwrap().status(), 200);
    let bad = t
        .http
        .post(t.url(&path))
        .form(&[("email", "nope"), ("display_name", "Ada")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("value=\"Ada\""));
    let ok = t
        .http
        .post(t.url(&path))
        .form(&[
            ("email", "ada@example.com"),
            ("display_name", "Ada"),
            ("password", "a long enough password"),
            ("password_confirm", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    assert!(
        ok.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("HttpOnly"),
        "the administrator is signed in, on the way to TOTP enrolment"
    );
    let page = ok.text().await.unwrap();
    assert!(page.contains("/account/totp"));
    let token = between(&page, "<code class=\"token\">", "</code>").to_owned();
    assert_eq!(
        t.get_json("/api/v1/reports", &token).await.0,
        200,
        "the shown token works"
    );
    let again = t
        .http
        .post(t.url(&path))
        .form(&[
            ("email", "eve@example.com"),
            ("display_name", "Eve"),
            ("password", "a long enough password"),
            ("password_confirm", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404, "a setup link works once");
    assert!(
        psirt::app::admin::setup_link(&t.app)
            .await
            .unwrap()
            .is_none()
    );
}

/// Under `Referrer-Policy: no-referrer` a browser's form post carries `Origin: null` (found by the
/// browser tests): it is ours when `Sec-Fetch-Site` says same-origin, and refused otherwise.
#[tokio::test]
async fn form_posts_with_origin_null_are_judged_by_sec_fetch_site() {
    let t = TestApp::spawn().await;
    let post = |site: Option<&'static str>| {
        let form = Form::new()
            .text("title", "Overcharge")
            .text("description", "Cut-off can be disabled.")
            .text("anonymous", "on");
        let mut r = t
            .http
            .post(t.url("/report"))
            .header("origin", "null")
            .multipart(form);
        if let Some(site) = site {
            r = r.header("sec-fetch-site", site);
        }
        r.send()
    };
    assert_eq!(post(Some("same-origin")).await.unwrap().status(), 201);
    assert_eq!(post(Some("cross-site")).await.unwrap().status(), 403);
    assert_eq!(post(None).await.unwrap().status(), 403);
}
