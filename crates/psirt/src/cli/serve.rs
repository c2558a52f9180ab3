//! `psirt serve` and `psirt migrate`.

use std::{io::Write, net::SocketAddr, process::ExitCode, sync::Arc};

use clap::Args;

use super::fail;
use crate::{
    app::{App, admin, demo, keys, scheduler::Scheduler},
    clock::SystemClock,
    config::{Config, redact_url},
    server, telemetry,
};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: PSIRT_LISTEN] (default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Load a realistic demo organisation first (products, versions, reports).
    #[arg(long)]
    pub demo: bool,
}

pub async fn run(config: Config, args: ServeArgs) -> ExitCode {
    telemetry::init_logs(config.log_format == "json");
    let app = match App::start(config, Arc::new(SystemClock)).await {
        Ok(app) => app,
        Err(e) => return fail(&format!("cannot start: {e}")),
    };
    if args.demo {
        // Before the demo publishes, so its documents are signed as they are published.
        match keys::ensure_key(&app).await {
            Ok(Some(key)) => eprintln!("psirt: demo OpenPGP key {} generated", key.fingerprint),
            Ok(None) => {}
            Err(e) => return fail(&format!("cannot create the demo OpenPGP key: {e}")),
        }
        match demo::load(&app).await {
            Ok(loaded) => eprintln!(
                "psirt: demo organisation {}",
                if loaded { "loaded" } else { "already present" }
            ),
            Err(e) => return fail(&format!("cannot load the demo: {e}")),
        }
    }
    if let Err(e) = keys::check_signing(&app).await {
        return fail(&e.to_string());
    }
    match keys::sign_missing(&app).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            documents = n,
            "signed published CSAF documents that lacked a signature by the active key"
        ),
        Err(e) => return fail(&format!("cannot sign published documents: {e}")),
    }
    let scheduler = match Scheduler::new(app.clone()) {
        Ok(scheduler) => scheduler,
        Err(e) => return fail(&format!("cannot start the scheduler: {e}")),
    };
    let server = match server::start(app.clone(), shutdown_signal()).await {
        Ok(server) => server,
        Err(e) => return fail(&format!("cannot listen on {}: {e}", app.config.listen)),
    };
    // Background jobs and mail run beside the server and stop with it.
    let scheduler = scheduler.spawn();
    let url = match &app.config.public_url {
        Some(url) => url.clone(),
        None => format!("http://{}", server.addr),
    };
    // A closed standard output (a supervisor that stopped reading) must not stop the server.
    let say = |line: String| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}").and_then(|()| out.flush());
    };
    say(format!(
        "psirt is running at {url}/  (database: {})",
        redact_url(&app.config.database_url())
    ));
    match admin::setup_link(&app).await {
        Ok(Some(link)) => say(format!(
            "Set up the first administrator (one-time link, valid 24 hours): {link}"
        )),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not create a setup link"),
    }
    let stopped = server.task.await;
    scheduler.stop().await;
    match stopped {
        Ok(Ok(())) => {
            app.db.close().await;
            ExitCode::SUCCESS
        }
        Ok(Err(e)) => fail(&format!("server stopped: {e}")),
        Err(e) => fail(&format!("server task failed: {e}")),
    }
}

pub async fn migrate(config: Config) -> ExitCode {
    let db = match crate::storage::Db::connect(&config.database_url(), 2).await {
        Ok(db) => db,
        Err(e) => return fail(&e.to_string()),
    };
    match db.migrate().await {
        Ok(applied) if applied.is_empty() => {
            println!("schema is up to date");
            ExitCode::SUCCESS
        }
        Ok(applied) => {
            println!("applied migrations: {applied:?}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e.to_string()),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = terminate => {} }
}
