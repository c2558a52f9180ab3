#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Full-text search is exact whether or not the SQLite indexer has caught up: queued cases are
//! matched on their current text, indexed ones through FTS5, and a changed text is never
//! found by its old words.

mod common;

use common::{TestApp, report};
use psirt::storage::{Dialect, search};
use psirt_domain::report::Role;

async fn found(t: &TestApp, token: &str, q: &str) -> Vec<String> {
    let (status, list) = t.get_json(&format!("/api/v1/cases?q={q}"), token).await;
    assert_eq!(status, 200, "{list}");
    let mut refs: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["reference"].as_str().unwrap().to_owned())
        .collect();
    refs.sort();
    assert_eq!(list["total"].as_u64(), Some(refs.len() as u64), "{list}");
    refs
}

async fn index_everything(t: &TestApp) {
    while search::index_pending(&t.app.db, 7).await.unwrap() > 0 {}
    assert_eq!(search::pending(&t.app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn search_is_exact_before_and_after_indexing() {
    let t = TestApp::spawn().await;
    let pso = t.staff("pso@example.com", Role::Pso).await;
    let mut refs = Vec::new();
    for title in [
        "BMS overcharge bypass over CAN",
        "Inverter Modbus write without auth",
        "逆变器 固件 签名 绕过",
        "Cloud token leak in the app",
    ] {
        let mut body = report(title);
        body["description"] = serde_json::json!(format!("Details of: {title}"));
        let response = t.submit(&body).await;
        assert_eq!(response.status(), 201);
        let body: serde_json::Value = response.json().await.unwrap();
        refs.push(body["reference"].as_str().unwrap().to_owned());
    }
    let queries = [
        ("modbus", vec![refs[1].clone()]),
        ("OVERCHARGE", vec![refs[0].clone()]),
        ("固件签", vec![]),
        ("固件", vec![refs[2].clone()]),
        ("%20token%20leak", vec![refs[3].clone()]),
        ("nothing-like-this", vec![]),
    ];
    // Whatever the background indexer has done so far (possibly nothing, possibly everything).
    for (q, expected) in &queries {
        assert_eq!(&found(&t, &pso, q).await, expected, "before indexing: {q}");
    }
    index_everything(&t).await;
    for (q, expected) in &queries {
        assert_eq!(&found(&t, &pso, q).await, expected, "after indexing: {q}");
    }

    // A changed text: queued again; its old words no longer find it, its new ones do, before
    // and after the indexer runs.
    sqlx::query("UPDATE cases SET search_text = $1 WHERE reference = $2")
        .bind("Inverter grid-code register tampering")
        .bind(refs[1].as_str())
        .execute(t.app.db.pool())
        .await
        .unwrap();
    if t.app.db.dialect() == Dialect::Sqlite {
        assert!(search::pending(&t.app.db).await.unwrap() <= 1);
    }
    assert_eq!(found(&t, &pso, "modbus").await, Vec::<String>::new());
    assert_eq!(found(&t, &pso, "tampering").await, vec![refs[1].clone()]);
    index_everything(&t).await;
    assert_eq!(found(&t, &pso, "modbus").await, Vec::<String>::new());
    assert_eq!(found(&t, &pso, "tampering").await, vec![refs[1].clone()]);

    // A deleted case leaves the index.
    if t.app.db.dialect() == Dialect::Sqlite {
        let rowid: i64 = sqlx::query_scalar("SELECT rowid FROM cases WHERE reference = $1")
            .bind(refs[3].as_str())
            .fetch_one(t.app.db.pool())
            .await
            .unwrap();
        let indexed = |rowid: i64| {
            let db = t.app.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM cases_fts WHERE cases_fts MATCH '\"leak\"' AND rowid = $1",
                )
                .bind(rowid)
                .fetch_one(db.pool())
                .await
                .unwrap()
            }
        };
        assert_eq!(indexed(rowid).await, 1);
        let mut conn = t.app.db.pool().acquire().await.unwrap();
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("DELETE FROM cases WHERE rowid = $1")
            .bind(rowid)
            .execute(&mut *conn)
            .await
            .unwrap();
        drop(conn);
        index_everything(&t).await;
        assert_eq!(indexed(rowid).await, 0);
    }
}

#[tokio::test]
async fn the_background_indexer_catches_up() {
    let t = TestApp::spawn().await;
    if t.app.db.dialect() != Dialect::Sqlite {
        return;
    }
    for i in 0..40 {
        assert_eq!(
            t.submit(&report(&format!("report {i}"))).await.status(),
            201
        );
    }
    // The indexer started with the app hears of each commit and empties the queue on its own.
    for _ in 0..200 {
        if search::pending(&t.app.db).await.unwrap() == 0 {
            let indexed: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM cases_fts WHERE cases_fts MATCH '\"report\"'",
            )
            .fetch_one(t.app.db.pool())
            .await
            .unwrap();
            assert_eq!(indexed, 40);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the indexer did not catch up within 10 s");
}
