//! References are minted atomically per year: no duplicate, no gap, under concurrency and with
//! two application instances sharing one database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use std::collections::BTreeSet;

use common::{TestApp, report};
use jiff::Timestamp;
use serde_json::Value;

async fn submit_many(t: &TestApp, n: usize) -> Vec<String> {
    let mut tasks = Vec::new();
    for i in 0..n {
        let http = t.http.clone();
        let url = t.url("/api/v1/reports");
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(url)
                .json(&report(&format!("concurrent {i}")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
            r.json::<Value>().await.unwrap()["reference"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut refs = Vec::new();
    for task in tasks {
        refs.push(task.await.unwrap());
    }
    refs
}

fn numbers(refs: &[String]) -> BTreeSet<u32> {
    refs.iter()
        .map(|r| r.rsplit('-').next().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_submissions_get_distinct_gapless_references() {
    let t = TestApp::spawn().await;
    let refs = submit_many(&t, 200).await;
    let got = numbers(&refs);
    assert_eq!(got.len(), 200, "no duplicates");
    assert_eq!(got, (1..=200).collect(), "no gaps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_database_never_collide() {
    let a = TestApp::spawn().await;
    let b = a.sibling().await;
    let (ra, rb) = tokio::join!(submit_many(&a, 80), submit_many(&b, 80));
    let all: Vec<String> = ra.into_iter().chain(rb).collect();
    assert_eq!(numbers(&all), (1..=160).collect());
}

#[tokio::test]
async fn numbering_restarts_each_year() {
    let t = TestApp::spawn().await;
    t.clock
        .set("2026-12-31T23:59:59Z".parse::<Timestamp>().unwrap());
    let first: Value = t
        .submit(&report("last of 2026"))
        .await
        .json()
        .await
        .unwrap();
    t.clock
        .set("2027-01-01T00:00:00Z".parse::<Timestamp>().unwrap());
    let second: Value = t
        .submit(&report("first of 2027"))
        .await
        .json()
        .await
        .unwrap();
    let third: Value = t
        .submit(&report("second of 2027"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["reference"], "PSIRT-2026-0001");
    assert_eq!(second["reference"], "PSIRT-2027-0001");
    assert_eq!(third["reference"], "PSIRT-2027-0002");
}
