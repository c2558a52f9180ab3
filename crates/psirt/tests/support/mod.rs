//! A real SMTP server on loopback (Python's aiosmtpd, `smtp_sink.py`) for the mail and
//! scheduler tests, and small helpers to queue mail.
// Test support: a failed set-up step should stop the test with its message.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
};

use psirt::{
    app::{
        App,
        mail::{self, OutgoingMail},
    },
    config::MailConfig,
};
use psirt_domain::report::EmailAddress;

pub struct SmtpSink {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// One message the server accepted.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub data: String,
}

impl Received {
    /// The value of a (single-line) header.
    pub fn header(&self, name: &str) -> Option<&str> {
        let prefix = format!("{}: ", name.to_ascii_lowercase());
        self.data
            .lines()
            .take_while(|l| !l.is_empty())
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| &l[prefix.len()..])
    }

    pub fn body(&self) -> &str {
        self.data
            .split_once("\r\n\r\n")
            .or_else(|| self.data.split_once("\n\n"))
            .map_or("", |(_, body)| body)
    }
}

impl SmtpSink {
    /// Starts the server; fails the test when aiosmtpd is missing.
    pub fn start() -> Self {
        let check = Command::new("python3")
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .expect("python3 runs");
        assert!(
            check.success(),
            "the mail tests need a real SMTP server on loopback: pip install aiosmtpd"
        );
        let dir = tempfile::tempdir().unwrap();
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the SMTP sink printed {line:?} instead of its port"));
        Self { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message accepted so far, in order.
    pub fn received(&self) -> Vec<Received> {
        let mut paths: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits (up to 20 s) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("expected {n} messages, got {}", self.received().len());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The same application with mail going to `smtp_url` (or to the outbox folder with `None`).
pub fn with_smtp(app: &App, smtp_url: Option<String>) -> App {
    let mut config = (*app.config).clone();
    config.mail = MailConfig {
        smtp_url,
        from: "PSIRT <psirt@example.com>".into(),
        timeout_seconds: 5,
    };
    let mut app = app.clone();
    app.config = Arc::new(config);
    app
}

/// Queues a message to `mei@example.org` in its own transaction.
pub async fn queue(app: &App, key: &str, subject: &str, body: &str) -> bool {
    let to = EmailAddress::parse("mei@example.org").unwrap();
    mail::enqueue(
        app,
        &OutgoingMail {
            idempotency_key: key,
            recipient: &to,
            subject,
            body,
            case_id: None,
        },
    )
    .await
    .unwrap()
}
