//! Browser tests: real headless Chromium (Debian's `chromium`) driven by Playwright
//! (`playwright-core` in `.ci/node_modules`) through the scripts in `tests/browser/`, against the
//! app booted by the testkit on a real port. The test seeds what a script needs through the app
//! and its API, writes a fixture file, runs `node SCRIPT BASE_URL FIXTURE` and fails with the
//! script's output when it exits non-zero. Screenshots go to `target/screenshots/`.
//!
//! Without chromium or the node modules the tests print a loud skip reason and pass, so
//! `cargo test` works on a fresh machine; with `CI` set they fail instead (`.ci/run` installs both).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;

use std::{
    io::Write,
    path::{Path, PathBuf},
    time::Duration,
};

use common::TestApp;
use jiff::SignedDuration;
use psirt::app::{admin, scheduler::Scheduler};
use psirt_domain::report::Role;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Why the browser tests cannot run on this machine, if they cannot.
fn missing() -> Option<String> {
    let chromium = std::env::var("PSIRT_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return Some(format!("{chromium} is missing (apt-get install chromium)"));
    }
    if !repo().join(".ci/node_modules/playwright-core").is_dir() {
        return Some("playwright-core is missing (npm ci --prefix .ci)".into());
    }
    match std::process::Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => None,
        _ => Some("node is missing (apt-get install nodejs)".into()),
    }
}

/// Runs `tests/browser/{script}`; false when the browser tests are skipped on this machine.
async fn run_script(t: &TestApp, script: &str, fixture: &Value) -> bool {
    if let Some(why) = missing() {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty());
        assert!(!ci, "CI is set but the browser tests cannot run: {why}");
        // Straight to stderr, not through the test harness's capture: a skip must be seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n**************************************************************\n\
             SKIPPED browser test {script}: {why}.\n\
             .ci/run installs what it needs; with CI set this is a failure.\n\
             **************************************************************\n"
        );
        return false;
    }
    let file = t.data.path().join(format!("{script}.json"));
    std::fs::write(&file, fixture.to_string()).unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser")
        .join(script);
    let base = format!("http://{}", t.addr);
    // The server runs on this test's runtime: wait for node on another thread.
    let node = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg(&path)
            .arg(base)
            .arg(&file)
            .output()
            .expect("run node")
    });
    let out = tokio::time::timeout(Duration::from_secs(300), node)
        .await
        .unwrap_or_else(|_| panic!("{script} did not finish in 5 minutes"))
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("--- {script} stdout\n{stdout}--- {script} stderr\n{stderr}");
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    true
}

/// Where the scripts write screenshots: `target/screenshots/` (wherever the target dir is).
fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("screenshots")
}

/// A staff member with a password and no second factor yet (the browser enrols it).
async fn user(t: &TestApp, email: &str, role: Role) {
    t.staff_with_password(email, role, PASSWORD).await;
}

#[tokio::test]
async fn reporter_submits_and_staff_triage_score_confirm_and_finish_tasks() {
    let t = TestApp::spawn().await;
    user(&t, "pso@example.com", Role::Pso).await;
    user(&t, "qa@example.com", Role::Qa).await;
    user(&t, "admin@example.com", Role::Admin).await;
    let fixture = json!({
        "password": PASSWORD,
        "now": t.app.clock.now().as_second(),
        "screenshots": screenshots(),
        "pso": "pso@example.com",
        "qa": "qa@example.com",
        "admin": "admin@example.com",
    });
    if !run_script(&t, "workflow.mjs", &fixture).await {
        return;
    }
    // What the browser did is what the application recorded.
    let token = admin::create_token(&t.app, "pso@example.com", "check")
        .await
        .unwrap();
    let (status, case) = t.get_json("/api/v1/cases/PSIRT-2026-0001", &token).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["phase"], "release");
    assert_eq!(
        case["cvss_v3_1"]["vector"],
        "CVSS:3.1/AV:A/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:N"
    );
    let tasks = case["tasks"].as_array().unwrap();
    assert!(
        tasks.iter().all(|task| task["state"] == "verified"),
        "{case}"
    );
}

/// The corpus: markup, event handlers, `javascript:` URLs, SVG, template syntax, right-to-left
/// overrides. Each report carries one entry in every field it has.
const CORPUS: &[&str] = &[
    r#"<script>window.__pwned="script";alert("script")</script>"#,
    r#""><img src=x onerror="window.__pwned='img';alert('img')">"#,
    r#"'><svg onload="window.__pwned='svg';alert('svg')"><circle r="9"/></svg>"#,
    r#"<a href="javascript:window.__pwned='href';alert('href')">click me</a> <iframe src="javascript:alert('iframe')"></iframe>"#,
    r#"<details open ontoggle="window.__pwned='details';alert('details')">x</details><body onload=alert('body')><style>*{display:none}</style>"#,
    "{{7*7}} ${7*7} <%= 7*7 %> #{7*7} {{constructor.constructor('window.__pwned=1')()}}",
    "\u{202E}fdp.exe\u{202C} \u{5E9}\u{5DC}\u{5D5}\u{5DD} \u{645}\u{631}\u{62D}\u{628}\u{627} \u{202E}right-to-left override never closed",
    r#"</textarea></title></style><script>alert('close')</script><!-- ]]> <x onclick=alert('x')>"#,
];

/// File names (the server keeps the part after the last `/` or `\`).
const FILE_NAMES: &[&str] = &[
    r#"<img src=x onerror="window.__pwned='file';alert('file')">.png"#,
    "<svg onload=alert('file-svg')>.svg",
    "invoice\u{202E}fdp.exe",
    "{{7*7}}${7*7}.txt",
    "javascript:alert('file').html",
];

/// Markdown by staff: raw HTML and script links must not survive the sanitiser.
const MARKDOWN: &str = "**bold** [click me](javascript:window.__pwned='md') \
    ![img](javascript:alert('md-img')) <img src=x onerror=\"window.__pwned='md-html'\"> \
    <a href=\"javascript:alert('md-a')\">a</a>";

fn long_word(n: usize) -> String {
    "W".repeat(n)
}

async fn case_version(t: &TestApp, token: &str, reference: &str) -> i64 {
    let (status, case) = t
        .get_json(&format!("/api/v1/cases/{reference}"), token)
        .await;
    assert_eq!(status, 200, "{case}");
    case["version"].as_i64().unwrap()
}

async fn send(request: reqwest::RequestBuilder, want: u16) -> Value {
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(status, want, "{body}");
    body
}

/// One report with `text` in every field (a single-line variant for one-line fields), an
/// attachment, a reporter message with a file, staff messages both ways, and a task.
async fn seed_case(
    t: &TestApp,
    token: &str,
    single: &str,
    long: &str,
    files: (&str, &str),
) -> Value {
    let file = |name: &str| Part::bytes(b"evidence".to_vec()).file_name(name.to_owned());
    let mut form = Form::new();
    for field in ["title", "product", "model", "version"] {
        form = form.text(field, single.to_owned());
    }
    for field in [
        "description",
        "technical_details",
        "reproduction_steps",
        "disclosure_plans",
    ] {
        form = form.text(field, long.to_owned());
    }
    for field in [
        "reporter.name",
        "reporter.organization",
        "reporter.job_title",
    ] {
        form = form.text(field, single.to_owned());
    }
    form = form
        .text("reporter.email", "mei@example.org")
        .part("attachments", file(files.0));
    let receipt = send(t.http.post(t.url("/api/v1/reports")).multipart(form), 201).await;
    let reference = receipt["reference"].as_str().unwrap().to_owned();
    let tracking = receipt["tracking_url"]
        .as_str()
        .unwrap()
        .strip_prefix("https://security.example.com")
        .unwrap()
        .to_owned();
    let token_part = tracking.rsplit('/').next().unwrap();
    let message = Form::new()
        .text("body", long.to_owned())
        .part("attachments", file(files.1));
    send(
        t.http
            .post(t.url(&format!("/api/v1/track/{token_part}/messages")))
            .multipart(message),
        201,
    )
    .await;
    let case = format!("/api/v1/cases/{reference}");
    for (body, visibility) in [
        (long.to_owned(), "reporter"),
        (format!("{MARKDOWN} {long}"), "internal"),
    ] {
        send(
            t.http
                .post(t.url(&format!("{case}/messages")))
                .bearer_auth(token)
                .json(&json!({"body": body, "visibility": visibility})),
            201,
        )
        .await;
    }
    let version = case_version(t, token, &reference).await;
    send(
        t.http
            .patch(t.url(&case))
            .bearer_auth(token)
            .json(&json!({"version": version, "assignee": "pso@example.com"})),
        200,
    )
    .await;
    let version = case_version(t, token, &reference).await;
    let view = send(
        t.http
            .post(t.url(&format!("{case}/tasks")))
            .bearer_auth(token)
            .json(&json!({"version": version, "kind": "other", "title": single})),
        201,
    )
    .await;
    let task = view["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|task| task["title"] == single)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    send(
        t.http
            .patch(t.url(&format!("{case}/tasks/{task}")))
            .bearer_auth(token)
            .json(&json!({"version": view["version"], "state": "done", "evidence": long})),
        200,
    )
    .await;
    json!({"reference": reference, "tracking": tracking, "single": single, "long": long,
        "files": [files.0, files.1]})
}

#[tokio::test]
async fn payload_corpus_never_runs_and_never_breaks_the_layout() {
    let t = TestApp::spawn().await;
    user(&t, "pso@example.com", Role::Pso).await;
    let token = admin::create_token(&t.app, "pso@example.com", "seed")
        .await
        .unwrap();
    let mut cases = Vec::new();
    for (i, text) in CORPUS.iter().enumerate() {
        let files = (
            FILE_NAMES[i % FILE_NAMES.len()],
            FILE_NAMES[(i + 1) % FILE_NAMES.len()],
        );
        cases.push(seed_case(&t, &token, text, text, files).await);
    }
    // Very long unbroken text: the longest title allowed, a long word and a long URL elsewhere.
    let long = format!(
        "{} https://example.com/{}",
        long_word(3000),
        "a".repeat(1500)
    );
    let files = (&*"L".repeat(220), FILE_NAMES[0]);
    cases.push(seed_case(&t, &token, &long_word(300), &long, files).await);
    // Deadlines pass and the scheduler records the breaches: the dashboard's board lists them.
    t.clock.advance(SignedDuration::from_hours(24 * 30));
    Scheduler::new(t.app.clone())
        .unwrap()
        .run_due()
        .await
        .unwrap();
    let fixture = json!({
        "password": PASSWORD,
        "now": t.app.clock.now().as_second(),
        "screenshots": screenshots(),
        "pso": "pso@example.com",
        "corpus": CORPUS,
        "file_names": FILE_NAMES,
        "cases": cases,
    });
    run_script(&t, "xss.mjs", &fixture).await;
}
