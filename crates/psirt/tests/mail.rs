//! Outbound mail: the outbox delivered through a real SMTP server on loopback (aiosmtpd), the
//! `.eml` folder when no SMTP server is configured, and retries after a failed delivery.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests fail loudly by design

mod common;
mod support;

use common::TestApp;
use jiff::SignedDuration;
use psirt::{
    app::scheduler::Scheduler,
    storage::{jobs, mail as outbox, mailer},
};
use psirt_domain::clock::Clock;
use support::{SmtpSink, queue, with_smtp};

#[tokio::test]
async fn the_outbox_goes_out_through_smtp_exactly_once() {
    let sink = SmtpSink::start();
    let t = TestApp::spawn().await;
    let app = with_smtp(&t.app, Some(sink.url()));
    let body = "Your report PSIRT-2026-0001 has a new message.\nhttps://psirt.example.com/track\n";
    assert!(
        queue(
            &app,
            "case:PSIRT-2026-0001:message:1",
            "[PSIRT-2026-0001] New message",
            body
        )
        .await
    );
    // Queued again (a retried request): nothing new.
    assert!(
        !queue(
            &app,
            "case:PSIRT-2026-0001:message:1",
            "[PSIRT-2026-0001] New message",
            body
        )
        .await
    );
    assert!(
        queue(
            &app,
            "case:PSIRT-2026-0001:status:2",
            "[PSIRT-2026-0001] Status",
            "Acknowledged."
        )
        .await
    );
    assert_eq!(outbox::pending_count(&app.db).await.unwrap(), 2);

    let scheduler = Scheduler::new(app.clone()).unwrap();
    // Counts of jobs run are not asserted: other kinds (periodic sweeps) may run beside mail.
    scheduler.run_due().await.unwrap();
    scheduler.run_due().await.unwrap();

    let got = sink.received();
    assert_eq!(got.len(), 2, "{got:#?}");
    let first = got
        .iter()
        .find(|m| m.header("Subject") == Some("[PSIRT-2026-0001] New message"))
        .expect("the message mail");
    assert_eq!(first.rcpt_tos, ["mei@example.org"]);
    assert_eq!(first.mail_from, "psirt@example.com");
    assert_eq!(first.header("To"), Some("mei@example.org"));
    assert_eq!(first.header("From"), Some("PSIRT <psirt@example.com>"));
    assert_eq!(
        first.header("Message-ID"),
        Some(mailer::message_id("case:PSIRT-2026-0001:message:1", "example.com").as_str())
    );
    // SMTP ends the data with a line break of its own.
    assert_eq!(
        first.body().replace("\r\n", "\n").trim_end(),
        body.trim_end()
    );

    let row = outbox::by_key(&app.db, "case:PSIRT-2026-0001:message:1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.sent_at, Some(t.clock.now()));
    assert_eq!(row.attempts, 1);
    assert_eq!(outbox::pending_count(&app.db).await.unwrap(), 0);
    let job = jobs::by_dedup_key(&app.db, "mail.deliver:case:PSIRT-2026-0001:message:1")
        .await
        .unwrap()
        .unwrap();
    assert!(job.done_at.is_some() && job.last_error.is_none(), "{job:?}");
}

#[tokio::test]
async fn without_smtp_mail_is_written_to_the_outbox_folder() {
    let t = TestApp::spawn().await;
    assert!(
        t.app.config.mail.smtp_url.is_none(),
        "the default has no SMTP"
    );
    let key = "case:PSIRT-2026-0002:message:1";
    assert!(
        queue(
            &t.app,
            key,
            "[PSIRT-2026-0002] New message",
            "See the tracking page."
        )
        .await
    );
    let scheduler = Scheduler::new(t.app.clone()).unwrap();
    scheduler.run_due().await.unwrap();
    scheduler.run_due().await.unwrap();

    let dir = t.data.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files, [mailer::eml_name(key)], "no temporary file is left");
    let eml = std::fs::read_to_string(dir.join(&files[0])).unwrap();
    for line in [
        "To: mei@example.org\r\n",
        "From: psirt@localhost\r\n",
        "Subject: [PSIRT-2026-0002] New message\r\n",
        "Date: Wed, 25 Nov 2026 09:00:00 +0000\r\n",
        "\r\n\r\nSee the tracking page.",
    ] {
        assert!(eml.contains(line), "{line:?} missing from\n{eml}");
    }
    assert!(eml.contains(&format!(
        "Message-ID: {}",
        mailer::message_id(key, "localhost")
    )));
    assert_eq!(outbox::pending_count(&t.app.db).await.unwrap(), 0);
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_back_off() {
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("smtp://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let t = TestApp::spawn().await;
    let app = with_smtp(&t.app, Some(dead));
    let key = "case:PSIRT-2026-0003:message:1";
    queue(&app, key, "Subject", "Body").await;
    let failing = Scheduler::new(app.clone()).unwrap();
    failing.run_due().await.unwrap();

    let job = jobs::by_dedup_key(&app.db, &format!("mail.deliver:{key}"))
        .await
        .unwrap()
        .unwrap();
    assert!(job.done_at.is_none() && job.locked_until.is_none());
    assert_eq!(job.attempts, 1);
    assert_eq!(job.run_at, t.clock.now() + SignedDuration::from_secs(30));
    assert!(job.last_error.unwrap().contains("SMTP"));
    let row = outbox::by_key(&app.db, key).await.unwrap().unwrap();
    assert!(row.sent_at.is_none() && row.last_error.is_some());
    // Not due again before the back-off has passed.
    failing.run_due().await.unwrap();
    let job = jobs::by_dedup_key(&app.db, &format!("mail.deliver:{key}"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(job.attempts, 1);

    // The server is back (and reachable) after the back-off: delivered once.
    let sink = SmtpSink::start();
    let healed = Scheduler::new(with_smtp(&t.app, Some(sink.url()))).unwrap();
    t.clock.advance(SignedDuration::from_secs(31));
    healed.run_due().await.unwrap();
    assert_eq!(sink.received().len(), 1);
    let job = jobs::by_dedup_key(&app.db, &format!("mail.deliver:{key}"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((job.attempts, job.done_at.is_some()), (2, true));
}

#[test]
fn a_bad_smtp_url_is_refused_at_start_naming_the_setting() {
    let data = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_psirt"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(data.path())
        .env("PSIRT_DATA_DIR", data.path())
        .env(
            "PSIRT_MAIL__SMTP_URL",
            "http://psirt:s3cret@mail.example.com",
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    if child.try_wait().unwrap().is_none() {
        child.kill().unwrap();
        panic!("psirt started with an unusable mail.smtp_url");
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("mail.smtp_url (PSIRT_MAIL__SMTP_URL)"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}
