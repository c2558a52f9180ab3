//! The audit chain detects tampering: an edited, deleted or inserted row, checked through the
//! real `psirt audit verify` command as well as the library.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use std::process::Command;

use common::{TestApp, report};
use psirt::storage::audit::{self, Verification};
use psirt_domain::report::Role;

fn verify_cli(t: &TestApp) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_psirt"))
        .args(["audit", "verify", "--json", "--data-dir"])
        .arg(t.data.path())
        .args(["--database-url", &t.database_url])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

async fn exec(t: &TestApp, sql: &str) {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(t.app.db.pool())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_is_detected_and_located() {
    let t = TestApp::spawn().await;
    let token = t.staff("pso@example.com", Role::Pso).await;
    for i in 0..3 {
        assert_eq!(t.submit(&report(&format!("r{i}"))).await.status(), 201);
    }
    for i in 1..=3 {
        let r = t
            .http
            .get(t.url(&format!("/api/v1/cases/PSIRT-2026-000{i}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(
        audit::verify(&t.app.db).await.unwrap(),
        Verification::Intact { events: 6 }
    );
    let (code, out) = verify_cli(&t);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("\"intact\":true"), "{out}");

    // Someone edits what an event says.
    exec(
        &t,
        "UPDATE audit_events SET actor = 'someone-else' WHERE seq = 4",
    )
    .await;
    assert!(matches!(
        audit::verify(&t.app.db).await.unwrap(),
        Verification::Broken { seq: 4, .. }
    ));
    let (code, out) = verify_cli(&t);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\"first_broken_event\":4"), "{out}");
}

#[tokio::test]
async fn deleting_or_truncating_events_is_detected() {
    let t = TestApp::spawn().await;
    for i in 0..3 {
        assert_eq!(t.submit(&report(&format!("r{i}"))).await.status(), 201);
    }
    exec(&t, "DELETE FROM audit_events WHERE seq = 2").await;
    assert!(matches!(
        audit::verify(&t.app.db).await.unwrap(),
        Verification::Broken { seq: 2, .. }
    ));

    let t = TestApp::spawn().await;
    for i in 0..3 {
        assert_eq!(t.submit(&report(&format!("r{i}"))).await.status(), 201);
    }
    exec(&t, "DELETE FROM audit_events WHERE seq = 3").await;
    assert!(
        matches!(
            audit::verify(&t.app.db).await.unwrap(),
            Verification::Broken { seq: 3, .. }
        ),
        "the head still records the deleted last event"
    );
}

#[tokio::test]
async fn list_reads_are_audited_with_what_was_shown() {
    let t = TestApp::spawn().await;
    let token = t.staff("pso@example.com", Role::Pso).await;
    assert_eq!(t.submit(&report("listed")).await.status(), 201);
    let (status, _) = t.get_json("/api/v1/cases?phase=received", &token).await;
    assert_eq!(status, 200);
    let detail: String =
        sqlx::query_scalar("SELECT detail FROM audit_events WHERE action = 'case.list'")
            .fetch_one(t.app.db.pool())
            .await
            .unwrap();
    assert!(
        detail.contains("PSIRT-2026-0001") && detail.contains("received"),
        "{detail}"
    );
    assert_eq!(
        audit::verify(&t.app.db).await.unwrap(),
        Verification::Intact { events: 2 }
    );
}
