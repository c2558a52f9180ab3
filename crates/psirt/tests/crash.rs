//! Durability: once the API answers "received", the report survives `kill -9` of the process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::Value;

fn start(data: &std::path::Path, database_url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_psirt"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .args(["--database-url", database_url])
        .env("PSIRT_LIMITS__PUBLIC_SUBMISSIONS_PER_MINUTE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // Keep reading so the server never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_owned();
    (child, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn received_reports_survive_kill_9() {
    let data = tempfile::tempdir().unwrap();
    let (database_url, schema) = common::test_database_url(data.path());
    common::prepare_schema(&schema).await;
    let (mut child, url) = start(data.path(), &database_url);
    let http = reqwest::Client::new();

    // Some answered for sure, then more racing with the kill: every one that was answered 201
    // must be there afterwards.
    let mut acknowledged = Vec::new();
    for i in 0..10 {
        let r = http
            .post(format!("{url}/api/v1/reports"))
            .json(&common::report(&format!("before {i}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        acknowledged.push(
            r.json::<Value>().await.unwrap()["reference"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut tasks = Vec::new();
    for i in 0..40 {
        let http = http.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{url}/api/v1/reports"))
                .json(&common::report(&format!("crash {i}")))
                .send()
                .await
                .ok()?;
            (r.status() == 201).then_some(())?;
            Some(
                r.json::<Value>().await.ok()?["reference"]
                    .as_str()?
                    .to_owned(),
            )
        }));
        if i == 30 {
            tokio::time::sleep(Duration::from_millis(5)).await;
            child.kill().unwrap(); // SIGKILL
        }
    }
    for task in tasks {
        if let Some(reference) = task.await.unwrap() {
            acknowledged.push(reference);
        }
    }
    child.wait().unwrap();

    let (mut child, url) = start(data.path(), &database_url);
    let app = psirt::app::App::start(
        common::test_config(data.path(), database_url.clone()),
        std::sync::Arc::new(psirt::clock::SystemClock),
    )
    .await
    .unwrap();
    psirt::app::admin::create_user(
        &app,
        "pso@example.com",
        None,
        psirt_domain::report::Role::Pso,
    )
    .await
    .unwrap();
    let token = psirt::app::admin::create_token(&app, "pso@example.com", "t")
        .await
        .unwrap();
    for reference in &acknowledged {
        let r = http
            .get(format!("{url}/api/v1/reports/{reference}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{reference} was acknowledged but is gone");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}
