//! Report intake throughput (issue 2): the real server on loopback, driven over HTTP by 1, 16 and
//! 64 keep-alive clients, on SQLite and PostgreSQL; beside it the references the target is judged
//! against: the same server answering a no-op POST of the same body (the HTTP limit) — once on a
//! route merged outside the product's middleware (bare) and once on a product route answered 405
//! inside every layer (the reference the target uses) — and the database's rate of durable
//! one-row-per-commit inserts (the naive design).
//!
//! `cargo bench -p psirt --bench intake`. Environment: `PSIRT_BENCH_SECONDS` (measured seconds
//! per run, default 6), `PSIRT_BENCH_WARMUP` (default 1), `PSIRT_BENCH_CLIENTS` (default
//! `1,16,64`), `PSIRT_BENCH_DATABASE_URL` (the PostgreSQL server to use, default the local one;
//! `off` skips PostgreSQL). Logs are not initialised: tracing costs what it costs unsubscribed.
//! Exits non-zero when the SQLite / 64 clients target is missed. Results: docs/PERFORMANCE.md.

use std::{
    net::SocketAddr,
    sync::{Arc, OnceLock},
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use axum::{Json, Router, body::Bytes, http::StatusCode, routing::post};
use psirt::{
    app::App,
    clock::SystemClock,
    config::{Config, Limits},
    storage::{Db, new_id, search},
    telemetry,
    web::{self, AppState, security::RateLimiter},
};
use serde_json::{Value, json};
use tokio::{net::TcpListener, sync::oneshot, task::JoinSet};

const WRITERS: [usize; 2] = [1, 64];
/// The HTTP limit without the product's middleware: a route merged outside its layers.
const BARE: &str = "no-op POST, bare";
/// The HTTP limit through the product's whole middleware stack (the reference).
const LAYERED: &str = "no-op POST, middleware";
const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// One measured run: operations completed inside the window and their latencies.
struct Run {
    backend: &'static str,
    workload: &'static str,
    concurrency: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
    errors: u64,
    /// Reports per commit, for intake runs.
    batch: Option<f64>,
}

#[derive(Clone, Copy)]
struct Window {
    warmup: Duration,
    measured: Duration,
}

#[tokio::main]
async fn main() -> Result<()> {
    let window = Window {
        warmup: Duration::from_secs_f64(env_seconds("PSIRT_BENCH_WARMUP", 1.0)?),
        measured: Duration::from_secs_f64(env_seconds("PSIRT_BENCH_SECONDS", 6.0)?),
    };
    let mut runs = Vec::new();
    let sqlite_dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        sqlite_dir.path().join("psirt.db").display()
    );
    println!("sqlite: {url}");
    runs.extend(bench_backend("sqlite", url, sqlite_dir.path(), window).await?);

    let base =
        std::env::var("PSIRT_BENCH_DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
    match postgres_schema(&base).await {
        Ok(None) => println!("postgres: SKIPPED (PSIRT_BENCH_DATABASE_URL=off)"),
        Err(error) => println!("postgres: SKIPPED, not reachable at {base}: {error:#}"),
        Ok(Some((schema, url))) => {
            println!("postgres: {base} (schema {schema})");
            let data = tempfile::tempdir()?;
            let result = bench_backend("postgres", url, data.path(), window).await;
            drop_schema(&base, &schema).await?;
            runs.extend(result?);
        }
    }
    print_table(&runs);
    judge(&runs)
}

/// `PSIRT_BENCH_CLIENTS=64` (comma-separated) runs only some concurrencies, e.g. to profile one.
fn client_counts() -> Result<Vec<usize>> {
    match std::env::var("PSIRT_BENCH_CLIENTS") {
        Ok(v) => v
            .split(',')
            .map(|n| {
                n.trim()
                    .parse()
                    .with_context(|| format!("PSIRT_BENCH_CLIENTS={v:?}"))
            })
            .collect(),
        Err(_) => Ok(vec![1, 16, 64]),
    }
}

fn env_seconds(name: &str, default: f64) -> Result<f64> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .with_context(|| format!("{name}={v:?} is not a number")),
        Err(_) => Ok(default),
    }
}

/// Every workload against one database: the server, the HTTP limit, the naive commit rate.
async fn bench_backend(
    backend: &'static str,
    database_url: String,
    data_dir: &std::path::Path,
    window: Window,
) -> Result<Vec<Run>> {
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.to_path_buf(),
        database_url: Some(database_url.clone()),
        limits: Limits {
            public_submissions_per_minute: 0,
            ..Limits::default()
        },
        ..Config::default()
    };
    let pool_size = config.limits.database_connections;
    let app = App::start(config, Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let (addr, stop, server) = serve(app.clone()).await?;
    let mut runs = Vec::new();
    for clients in client_counts()? {
        let noop = format!("http://{addr}/bench/noop");
        let stats = drive_http(&noop, StatusCode::CREATED, clients, window).await?;
        runs.push(stats.into_run(backend, BARE, clients, None));
        // A GET-only product route: the POST is answered 405 by the router, inside every layer.
        let layered = format!("http://{addr}/healthz");
        let stats = drive_http(&layered, StatusCode::METHOD_NOT_ALLOWED, clients, window).await?;
        runs.push(stats.into_run(backend, LAYERED, clients, None));
        let reports = format!("http://{addr}/api/v1/reports");
        let commits = tokio::spawn(commits_during(window));
        let stats = drive_http(&reports, StatusCode::CREATED, clients, window).await?;
        let commits = commits.await?;
        let batch = (commits > 0.0).then(|| stats.total as f64 / commits);
        let submitted = stats.total;
        runs.push(stats.into_run(backend, "report submission", clients, batch));
        index_backlog(&app, backend, clients, submitted, window).await?;
    }
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .context("server did not stop")???;
    app.db.close().await;

    let db = Db::connect(&database_url, pool_size).await?;
    sqlx::query("CREATE TABLE bench_commits (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
        .execute(db.pool())
        .await?;
    for writers in WRITERS {
        let stats = drive_commits(&db, writers, window).await?;
        runs.push(stats.into_run(backend, "naive insert+commit", writers, None));
    }
    db.close().await;
    Ok(runs)
}

/// Full-text indexing follows intake (storage/search.rs): reports the backlog left at the end of
/// the window and how long the indexer took to clear it, so the sustained rate with indexing
/// included is on record too. The next run starts with an empty queue.
async fn index_backlog(
    app: &App,
    backend: &str,
    clients: usize,
    submitted: usize,
    window: Window,
) -> Result<()> {
    let backlog = search::pending(&app.db).await?;
    let started = Instant::now();
    while search::pending(&app.db).await? > 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let catch_up = started.elapsed().as_secs_f64();
    if backlog > 0 {
        let with_indexing = submitted as f64 / (window.measured.as_secs_f64() + catch_up);
        println!(
            "{backend}, {clients} clients: {backlog} case changes left to index at the end of the window, \
             indexed {catch_up:.2} s later ({with_indexing:.0} reports/s with indexing included)"
        );
    }
    Ok(())
}

/// Serves the product router exactly as `psirt::server::start` does, plus `POST /bench/noop`.
async fn serve(
    app: App,
) -> Result<(
    SocketAddr,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
)> {
    let listener = TcpListener::bind(app.config.listen).await?;
    let addr = listener.local_addr()?;
    let state = AppState {
        limiter: Arc::new(RateLimiter::new(
            app.config.limits.public_submissions_per_minute,
        )),
        metrics: telemetry::metrics_handle(),
        openapi: Arc::new(OnceLock::new()),
        app,
    };
    let (router, _) = web::router(state);
    let router = router.merge(Router::new().route("/bench/noop", post(noop)));
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok((addr, stop, task))
}

/// Reads the whole body and answers like a receipt would, without touching the database.
async fn noop(body: Bytes) -> (StatusCode, Json<Value>) {
    (
        StatusCode::CREATED,
        Json(json!({"id": "noop", "received_bytes": body.len()})),
    )
}

/// Commits the intake writer makes inside the measured window of a run starting now.
async fn commits_during(window: Window) -> f64 {
    let begin = tokio::time::Instant::now() + window.warmup;
    tokio::time::sleep_until(begin).await;
    let before = intake_commits();
    tokio::time::sleep_until(begin + window.measured).await;
    intake_commits() - before
}

/// Commits the intake writer has made so far (all backends: the recorder is process-wide).
fn intake_commits() -> f64 {
    telemetry::metrics_handle()
        .render()
        .lines()
        .filter(|l| l.starts_with("psirt_intake_commits_total"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A realistic API submission; every client sends the same bytes to both endpoints.
fn report_body(client: usize) -> Result<Bytes> {
    let body = json!({
        "title": format!("Authentication bypass on the maintenance port (client {client})"),
        "description": "The maintenance service on TCP 4840 accepts a session without a password \
            when the user name is longer than 64 bytes. An attacker on the plant network can read \
            and write every process value. Found while fuzzing the login handler.",
        "product": "VoltGuard BMS",
        "version": "3.1.4",
        "reporter": {"name": "Mei Lin", "email": "mei@example.org"}
    });
    Ok(Bytes::from(serde_json::to_vec(&body)?))
}

/// Latencies of the operations that completed inside the measured window.
struct Stats {
    latencies: Vec<Duration>,
    errors: u64,
    total: usize,
    measured: Duration,
}

impl Stats {
    fn merge(parts: Vec<(Vec<Duration>, u64)>, measured: Duration) -> Self {
        let mut latencies = Vec::new();
        let mut errors = 0;
        for (l, e) in parts {
            latencies.extend(l);
            errors += e;
        }
        latencies.sort_unstable();
        Self {
            total: latencies.len(),
            latencies,
            errors,
            measured,
        }
    }

    fn percentile(&self, p: f64) -> Duration {
        let rank = ((self.latencies.len() as f64 * p).ceil() as usize).saturating_sub(1);
        self.latencies.get(rank).copied().unwrap_or_default()
    }

    fn into_run(
        self,
        backend: &'static str,
        workload: &'static str,
        concurrency: usize,
        batch: Option<f64>,
    ) -> Run {
        Run {
            backend,
            workload,
            concurrency,
            per_second: self.total as f64 / self.measured.as_secs_f64(),
            p50: self.percentile(0.50),
            p99: self.percentile(0.99),
            errors: self.errors,
            batch,
        }
    }
}

/// `clients` workers, each with its own keep-alive connection, POST the body back to back.
/// An operation counts when it completes inside the window (after the warm-up).
async fn drive_http(
    url: &str,
    expected: StatusCode,
    clients: usize,
    window: Window,
) -> Result<Stats> {
    let begin = Instant::now() + window.warmup;
    let end = begin + window.measured;
    let mut workers = JoinSet::new();
    for client in 0..clients {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .tcp_nodelay(true)
            .build()?;
        let url = url.to_owned();
        let body = report_body(client)?;
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < end {
                let started = Instant::now();
                let response = http
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await;
                let ok = match response {
                    Ok(r) => r.status() == expected && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                let done = Instant::now();
                if done >= begin && done <= end {
                    if ok {
                        latencies.push(done - started);
                    } else {
                        errors += 1;
                    }
                }
            }
            (latencies, errors)
        });
    }
    Ok(Stats::merge(workers.join_all().await, window.measured))
}

/// `writers` tasks each insert one row per transaction (begin, insert, commit: one fsync each).
async fn drive_commits(db: &Db, writers: usize, window: Window) -> Result<Stats> {
    let begin = Instant::now() + window.warmup;
    let end = begin + window.measured;
    let mut workers = JoinSet::new();
    for writer in 0..writers {
        let pool = db.pool().clone();
        let body = String::from_utf8(report_body(writer)?.to_vec())?;
        workers.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < end {
                let started = Instant::now();
                let result = async {
                    let mut tx = pool.begin().await?;
                    sqlx::query("INSERT INTO bench_commits (id, body) VALUES ($1, $2)")
                        .bind(new_id())
                        .bind(&body)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await
                }
                .await;
                let done = Instant::now();
                if done >= begin && done <= end {
                    match result {
                        Ok(()) => latencies.push(done - started),
                        Err(_) => errors += 1,
                    }
                }
            }
            (latencies, errors)
        });
    }
    Ok(Stats::merge(workers.join_all().await, window.measured))
}

/// Creates a fresh schema; `None` when PostgreSQL is switched off.
async fn postgres_schema(base: &str) -> Result<Option<(String, String)>> {
    if base.trim().is_empty() || base == "off" {
        return Ok(None);
    }
    sqlx::any::install_default_drivers();
    let schema = format!("bench_{}", new_id());
    let pool = tokio::time::timeout(Duration::from_secs(3), sqlx::AnyPool::connect(base))
        .await
        .context("connection timed out")??;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&pool)
        .await?;
    pool.close().await;
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    Ok(Some((schema, url)))
}

async fn drop_schema(base: &str, schema: &str) -> Result<()> {
    let pool = sqlx::AnyPool::connect(base).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
        .execute(&pool)
        .await?;
    pool.close().await;
    Ok(())
}

fn print_table(runs: &[Run]) {
    println!();
    println!(
        "| backend  | workload                 | clients |      ops/s | p50 ms | p99 ms | errors | reports/commit |"
    );
    println!(
        "|----------|--------------------------|--------:|-----------:|-------:|-------:|-------:|---------------:|"
    );
    for r in runs {
        let batch = r.batch.map(|b| format!("{b:.1}")).unwrap_or_default();
        println!(
            "| {:<8} | {:<24} | {:>7} | {:>10.0} | {:>6.1} | {:>6.1} | {:>6} | {:>14} |",
            r.backend,
            r.workload,
            r.concurrency,
            r.per_second,
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3,
            r.errors,
            batch
        );
    }
}

/// The target for SQLite with 64 clients; errors if any criterion is missed.
fn judge(runs: &[Run]) -> Result<()> {
    let find = |workload: &str, n: usize| {
        runs.iter()
            .find(|r| r.backend == "sqlite" && r.workload == workload && r.concurrency == n)
    };
    let (Some(intake), Some(http), Some(bare)) = (
        find("report submission", 64),
        find(LAYERED, 64),
        find(BARE, 64),
    ) else {
        bail!("the SQLite / 64 clients runs are missing");
    };
    let naive = runs
        .iter()
        .filter(|r| r.backend == "sqlite" && r.workload == "naive insert+commit")
        .map(|r| r.per_second)
        .fold(0.0, f64::max);
    let share = intake.per_second / http.per_second.max(f64::MIN_POSITIVE);
    let bare_share = intake.per_second / bare.per_second.max(f64::MIN_POSITIVE);
    let p99_ms = intake.p99.as_secs_f64() * 1e3;
    let criteria = [
        (
            format!("reports/s >= 1000: {:.0}", intake.per_second),
            intake.per_second >= 1000.0,
        ),
        (format!("p99 < 100 ms: {p99_ms:.1} ms"), p99_ms < 100.0),
        (
            format!(
                "above the naive commit rate: {:.0} vs {naive:.0}/s",
                intake.per_second
            ),
            intake.per_second > naive,
        ),
        (
            format!(
                ">= 30 % of the HTTP limit: {:.0} % (of the bare no-op: {:.0} %)",
                share * 100.0,
                bare_share * 100.0
            ),
            share >= 0.30,
        ),
        (
            format!("no failed submissions: {}", intake.errors),
            intake.errors == 0,
        ),
    ];
    println!("\nTarget, SQLite, 64 clients:");
    for (what, ok) in &criteria {
        println!("  {} {what}", if *ok { "PASS" } else { "BELOW TARGET" });
    }
    if criteria.iter().all(|(_, ok)| *ok) {
        Ok(())
    } else {
        bail!("SQLite / 64 clients is below the issue 2 target")
    }
}
