//! The testkit: boots the real application (router, database, intake writer) on a free port
//! against SQLite, or PostgreSQL when `PSIRT_TEST_DATABASE_URL` is set (one schema per test),
//! and hands the test an HTTP client.
#![allow(dead_code)]

use std::{net::SocketAddr, sync::Arc};

use jiff::Timestamp;
use psirt::{
    app::{App, admin, signin},
    config::{Config, Limits},
    server,
};
use psirt_domain::{clock::ManualClock, report::Role};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub http: reqwest::Client,
    pub data: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    pub database_url: String,
}

pub fn test_database_url(data: &std::path::Path) -> (String, Option<String>) {
    match std::env::var("PSIRT_TEST_DATABASE_URL") {
        Ok(base) if !base.trim().is_empty() => {
            let schema = format!("t_{}", psirt::storage::new_id());
            let sep = if base.contains('?') { '&' } else { '?' };
            (
                format!("{base}{sep}options=-c%20search_path%3D{schema}"),
                Some(schema),
            )
        }
        _ => (
            format!("sqlite://{}?mode=rwc", data.join("psirt.db").display()),
            None,
        ),
    }
}

/// Creates the schema a PostgreSQL test runs in.
pub async fn prepare_schema(schema: &Option<String>) {
    if let (Some(schema), Ok(base)) = (schema, std::env::var("PSIRT_TEST_DATABASE_URL")) {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(&base)
            .await
            .expect("connect to PSIRT_TEST_DATABASE_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

pub fn test_config(data: &std::path::Path, database_url: String) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.to_path_buf(),
        database_url: Some(database_url),
        // Links in receipts and published documents need a real address (the port is 0 here).
        public_url: Some("https://security.example.com".into()),
        limits: Limits {
            public_submissions_per_minute: 0,
            ..Limits::default()
        },
        ..Config::default()
    }
}

pub const START: &str = "2026-11-25T09:00:00Z";

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let data = tempfile::tempdir().unwrap();
        let (database_url, schema) = test_database_url(data.path());
        prepare_schema(&schema).await;
        let mut config = test_config(data.path(), database_url.clone());
        adjust(&mut config);
        Self::start(config, data, database_url).await
    }

    /// A second application instance (own writer and pool) on the same database.
    pub async fn sibling(&self) -> Self {
        let data = tempfile::tempdir().unwrap();
        let config = test_config(data.path(), self.database_url.clone());
        Self::start(config, data, self.database_url.clone()).await
    }

    async fn start(config: Config, data: tempfile::TempDir, database_url: String) -> Self {
        let clock = Arc::new(ManualClock::new(START.parse::<Timestamp>().unwrap()));
        let app = App::start(config, clock.clone()).await.expect("app starts");
        let (stop, stopped) = oneshot::channel::<()>();
        let server = server::start(app.clone(), async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            addr: server.addr,
            app,
            clock,
            http,
            data,
            stop: Some(stop),
            database_url,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Creates a staff member and returns an API token for them.
    pub async fn staff(&self, email: &str, role: Role) -> String {
        admin::create_user(&self.app, email, None, role)
            .await
            .unwrap();
        admin::create_token(&self.app, email, "test").await.unwrap()
    }

    /// Creates a staff member who has set `password` and has no second factor yet (the first
    /// sign-in enrols it).
    pub async fn staff_with_password(&self, email: &str, role: Role, password: &str) {
        admin::create_user(&self.app, email, None, role)
            .await
            .unwrap();
        let link = signin::password_link(&self.app, email).await.unwrap();
        let token = link.rsplit('/').next().unwrap();
        signin::set_password_with_link(&self.app, token, password, password)
            .await
            .unwrap();
    }

    pub async fn submit(&self, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/reports"))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Any method with a bearer token; a JSON body unless `body` is null.
    pub async fn call(
        &self,
        token: &str,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let mut r = self.http.request(method, self.url(path)).bearer_auth(token);
        if !body.is_null() {
            r = r.json(&body);
        }
        let r = r.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str, token: &str) -> (u16, Value) {
        let r = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs the `psirt` binary on the test's data directory and database, with extra environment
/// variables: `(exit code, stdout, stderr)`.
pub fn cli(
    data: &std::path::Path,
    url: &str,
    env: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_psirt"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .args(["--database-url", url])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn report(title: &str) -> Value {
    json!({
        "title": title,
        "description": "Overcharge protection can be disabled over CAN.",
        "product": "VoltGuard BMS",
        "version": "3.1.4",
        "reporter": {"name": "Mei Lin", "email": "mei@example.org"}
    })
}
