//! Case list latency (issue 4): 100,000 cases, a PSO (sees all) and RD users with 50 grants each
//! (case grants plus one or two product grants); the real server on loopback answers
//! `GET /api/v1/cases` with filters, one request at a time, on SQLite and PostgreSQL.
//! Target: p99 < 50 ms for every filtered page.
//!
//! `cargo bench -p psirt --bench case_list`. Environment: `PSIRT_BENCH_CASES` (default 100000),
//! `PSIRT_BENCH_REQUESTS` (measured requests per row, default 300; 50 more warm up first),
//! `PSIRT_BENCH_DATABASE_URL` (the PostgreSQL server, default the local one; `off` skips it).
//! Exits non-zero when a row misses the target. Results: docs/PERFORMANCE.md.

#[path = "case_list/seed.rs"]
mod seed;

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::{Context, Result, bail};
use psirt::{
    app::App,
    clock::SystemClock,
    config::{Config, Limits},
    server,
    storage::{Dialect, new_id},
};
use tokio::sync::oneshot;

const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";
const TARGET_P99_MS: f64 = 50.0;
const RD_USERS: usize = 6;
const WARMUP: usize = 50;

struct Row {
    backend: &'static str,
    viewer: &'static str,
    query: String,
    p50: Duration,
    p99: Duration,
    /// `total` of the last answer: what the viewer may see under the filter.
    total: i64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let cases = env_number("PSIRT_BENCH_CASES", 100_000)?;
    let requests = env_number("PSIRT_BENCH_REQUESTS", 300)?;
    let mut rows = Vec::new();

    let sqlite_dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        sqlite_dir.path().join("psirt.db").display()
    );
    println!("sqlite: {url}");
    rows.extend(bench_backend("sqlite", url, sqlite_dir.path(), cases, requests).await?);

    let base =
        std::env::var("PSIRT_BENCH_DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES.to_owned());
    match postgres_schema(&base).await {
        Ok(None) => println!("postgres: SKIPPED (PSIRT_BENCH_DATABASE_URL=off)"),
        Err(error) => println!("postgres: SKIPPED, not reachable at {base}: {error:#}"),
        Ok(Some((schema, url))) => {
            println!("postgres: {base} (schema {schema})");
            let data = tempfile::tempdir()?;
            let result = bench_backend("postgres", url, data.path(), cases, requests).await;
            drop_schema(&base, &schema).await?;
            rows.extend(result?);
        }
    }
    print_table(&rows);
    judge(&rows)
}

fn env_number(name: &str, default: usize) -> Result<usize> {
    match std::env::var(name) {
        Ok(v) => v.parse().with_context(|| format!("{name}={v:?}")),
        Err(_) => Ok(default),
    }
}

async fn bench_backend(
    backend: &'static str,
    database_url: String,
    data_dir: &std::path::Path,
    cases: usize,
    requests: usize,
) -> Result<Vec<Row>> {
    let config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: data_dir.to_path_buf(),
        database_url: Some(database_url),
        limits: Limits {
            public_submissions_per_minute: 0,
            ..Limits::default()
        },
        ..Config::default()
    };
    let app = App::start(config, Arc::new(SystemClock))
        .await
        .context("starting the app")?;
    let loading = Instant::now();
    let seeded = seed::seed(&app, cases, RD_USERS).await?;
    let analyze = match app.db.dialect() {
        Dialect::Sqlite => "ANALYZE",
        Dialect::Postgres => "VACUUM ANALYZE",
    };
    sqlx::query(analyze).execute(app.db.pool()).await?;
    println!(
        "{backend}: loaded {cases} cases in {:.1} s",
        loading.elapsed().as_secs_f64()
    );

    let (stop, stopped) = oneshot::channel::<()>();
    let server = server::start(app.clone(), async {
        let _ = stopped.await;
    })
    .await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .build()?;
    let product = seeded.product_name.replace(' ', "%20");
    let queries = [
        "phase=triage&limit=50".to_owned(),
        "grade=critical&sort=due".to_owned(),
        format!("product={product}"),
        format!("assignee={}", seeded.assignee_email),
        "q=traversal".to_owned(),
        "deadline=at_risk".to_owned(),
        "offset=5000".to_owned(),
    ];
    let pso = std::slice::from_ref(&seeded.pso_token);
    let viewers: [(&'static str, &[String]); 2] = [
        ("pso (sees all)", pso),
        ("rd (50 grants)", &seeded.rd_tokens),
    ];
    let mut rows = Vec::new();
    check_need_to_know(&app, &http, server.addr, &seeded).await?;
    for (viewer, tokens) in viewers {
        for query in &queries {
            let url = format!("http://{}/api/v1/cases?{query}", server.addr);
            let (latencies, total) = drive(&http, &url, tokens, requests).await?;
            let row = Row {
                backend,
                viewer,
                query: query.clone(),
                p50: percentile(&latencies, 0.50),
                p99: percentile(&latencies, 0.99),
                total,
            };
            println!(
                "{backend} {viewer} ?{query}: p50 {:.1} ms, p99 {:.1} ms, total {total}",
                ms(row.p50),
                ms(row.p99)
            );
            rows.push(row);
        }
    }
    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), server.task)
        .await
        .context("server did not stop")???;
    app.db.close().await;
    Ok(rows)
}

/// What the list answers an RD user must equal a count written independently with the
/// original need-to-know rule (an EXISTS over the user's grants), so tuning cannot widen or
/// narrow what they see.
async fn check_need_to_know(
    app: &App,
    http: &reqwest::Client,
    addr: SocketAddr,
    seeded: &seed::Seeded,
) -> Result<()> {
    const RULE: &str = "(c.phase IN ('disclosed', 'post_release')
        OR (c.phase = 'closed' AND c.resolution = 'fixed')
        OR EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id
                   AND (g.report_id = c.id OR g.product_id = c.product_id)))";
    let checks = [("", ""), ("phase=triage", " AND c.phase = 'triage'")];
    for token in &seeded.rd_tokens {
        for (query, filter) in checks {
            let url = format!("http://{addr}/api/v1/cases?{query}");
            let page: serde_json::Value = http
                .get(&url)
                .bearer_auth(token)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let total = page.get("total").and_then(serde_json::Value::as_i64);
            let expected: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM cases c, users u, api_tokens t
                 WHERE t.user_id = u.id AND t.token_hash = $1 AND {RULE}{filter}"
            )))
            .bind(psirt::app::hash_secret(token))
            .fetch_one(app.db.pool())
            .await?;
            if total != Some(expected) {
                bail!(
                    "need-to-know: ?{query} answered {total:?} cases, the rule allows {expected}"
                );
            }
        }
    }
    println!("need-to-know: RD totals match the rule");
    Ok(())
}

/// Sequential requests (one keep-alive connection), cycling through the viewer's tokens.
async fn drive(
    http: &reqwest::Client,
    url: &str,
    tokens: &[String],
    requests: usize,
) -> Result<(Vec<Duration>, i64)> {
    let mut latencies = Vec::with_capacity(requests);
    let mut total = 0;
    for i in 0..WARMUP + requests {
        let token = tokens.get(i % tokens.len().max(1)).context("no tokens")?;
        let started = Instant::now();
        let response = http.get(url).bearer_auth(token).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        let elapsed = started.elapsed();
        if !status.is_success() {
            bail!("{url}: {status}: {}", String::from_utf8_lossy(&body));
        }
        if i >= WARMUP {
            latencies.push(elapsed);
        }
        let page: serde_json::Value = serde_json::from_slice(&body)?;
        total = page
            .get("total")
            .and_then(serde_json::Value::as_i64)
            .context("no total")?;
    }
    latencies.sort_unstable();
    Ok((latencies, total))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1);
    sorted.get(rank).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
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

fn verdict(r: &Row) -> &'static str {
    if ms(r.p99) < TARGET_P99_MS {
        "PASS"
    } else {
        "BELOW TARGET"
    }
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "| backend  | viewer         | query                              |  total | p50 ms | p99 ms | p99 < 50 ms  |"
    );
    println!(
        "|----------|----------------|------------------------------------|-------:|-------:|-------:|--------------|"
    );
    for r in rows {
        println!(
            "| {:<8} | {:<14} | {:<34} | {:>6} | {:>6.1} | {:>6.1} | {:<12} |",
            r.backend,
            r.viewer,
            format!("`?{}`", r.query),
            r.total,
            ms(r.p50),
            ms(r.p99),
            verdict(r)
        );
    }
}

fn judge(rows: &[Row]) -> Result<()> {
    let below = rows.iter().filter(|r| verdict(r) != "PASS").count();
    if below == 0 {
        println!("\nPASS: every filtered page has p99 < {TARGET_P99_MS} ms");
        Ok(())
    } else {
        bail!(
            "BELOW TARGET: {below} of {} rows have p99 >= {TARGET_P99_MS} ms",
            rows.len()
        )
    }
}
