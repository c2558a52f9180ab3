//! Deadline reminders and reporter mail through the real scheduler and the file outbox: sent at
//! the warning point and on breach, once each, and never carrying case detail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use common::{TestApp, report};
use jiff::SignedDuration;
use psirt::app::scheduler::Scheduler;
use psirt_domain::report::Role;
use serde_json::{Value, json};

fn outbox(t: &TestApp) -> Vec<String> {
    let dir = t.data.path().join("outbox");
    let mut mails: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect()
        })
        .unwrap_or_default();
    mails.sort();
    mails
}

#[tokio::test]
async fn reminders_at_risk_and_on_breach_carry_no_detail() {
    let t = TestApp::spawn().await;
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let title = "Secret overcharge bypass in VoltGuard";
    let r: Value = t.submit(&report(title)).await.json().await.unwrap();
    let reference = r["reference"].as_str().unwrap().to_owned();
    let scheduler = Scheduler::new(t.app.clone()).unwrap();
    scheduler.run_due().await.unwrap();
    assert!(outbox(&t).is_empty(), "nothing is due yet");

    // The default policy: acknowledge within 5 working days (2026-11-25 is a Wednesday).
    // Due 2026-12-02T23:59:59Z; at risk after three quarters of the clock.
    t.clock.advance(SignedDuration::from_hours(24 * 6 + 12));
    scheduler.run_due().await.unwrap();
    let mails = outbox(&t);
    assert!(
        mails.iter().any(|m| m.contains("at risk")
            && m.contains(&reference)
            && m.contains("pso@example.com")),
        "{mails:?}"
    );
    for m in &mails {
        assert!(
            !m.contains("overcharge") && !m.contains("VoltGuard") && !m.contains("Secret"),
            "no detail in reminders: {m}"
        );
    }
    let count = mails.len();
    scheduler.run_due().await.unwrap();
    t.clock.advance(SignedDuration::from_secs(301));
    scheduler.run_due().await.unwrap();
    assert_eq!(outbox(&t).len(), count, "each reminder is sent once");

    t.clock.advance(SignedDuration::from_hours(24 * 7));
    scheduler.run_due().await.unwrap();
    let mails = outbox(&t);
    assert!(
        mails
            .iter()
            .any(|m| m.contains("BREACHED") && m.contains("Acknowledge")),
        "{mails:?}"
    );
    let (_, case) = t
        .get_json(&format!("/api/v1/cases/{reference}"), &pso)
        .await;
    let ack = case["deadlines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["milestone"] == "acknowledgement")
        .unwrap()
        .clone();
    assert!(
        ack["breached_at"].is_string(),
        "the sweep recorded the breach: {ack}"
    );
    let (_, list) = t.get_json("/api/v1/cases?deadline=breached", &pso).await;
    assert_eq!(list["total"], 1, "{list}");
}

#[tokio::test]
async fn the_reporter_is_told_by_mail_without_detail() {
    let t = TestApp::spawn().await;
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let r: Value = t
        .submit(&report("Secret overcharge bypass"))
        .await
        .json()
        .await
        .unwrap();
    let reference = r["reference"].as_str().unwrap().to_owned();
    let (_, case) = t
        .get_json(&format!("/api/v1/cases/{reference}"), &pso)
        .await;
    let body = json!({"body": "Which firmware build exactly?", "visibility": "reporter"});
    let posted = t
        .http
        .post(t.url(&format!("/api/v1/cases/{reference}/messages")))
        .bearer_auth(&pso)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 201);
    let note = json!({"body": "internal only", "visibility": "internal"});
    t.http
        .post(t.url(&format!("/api/v1/cases/{reference}/messages")))
        .bearer_auth(&pso)
        .json(&note)
        .send()
        .await
        .unwrap();
    assert_eq!(case["version"], 1);
    Scheduler::new(t.app.clone())
        .unwrap()
        .run_due()
        .await
        .unwrap();
    let mails = outbox(&t);
    let to_reporter: Vec<&String> = mails
        .iter()
        .filter(|m| m.contains("mei@example.org"))
        .collect();
    assert_eq!(
        to_reporter.len(),
        1,
        "one mail for the reporter-visible message, none for the note: {mails:?}"
    );
    assert!(to_reporter[0].contains(&reference));
    assert!(
        !to_reporter[0].contains("firmware build") && !to_reporter[0].contains("overcharge"),
        "{}",
        to_reporter[0]
    );
}
