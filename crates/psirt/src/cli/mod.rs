//! The command line: `psirt serve | migrate | admin | catalog | cvss | policy | audit | keys`. Data goes to stdout,
//! messages to stderr; bad input exits with code 2 and a one-line reason.

mod admin;
mod audit;
mod catalog;
pub mod cvss;
mod keys;
pub mod policy;
mod serve;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::config::{Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "psirt",
    version,
    about = "Run a Product Security Incident Response Team: intake, triage, deadlines, advisories."
)]
pub struct Cli {
    /// Configuration file (default: ./psirt.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Directory for the embedded database and attachments [env: PSIRT_DATA_DIR] (default ./psirt-data).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// sqlite:… or postgres://… [env: PSIRT_DATABASE_URL] (default: SQLite in the data directory).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (public pages, API, background work).
    Serve(serve::ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff accounts, API tokens and grants.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Export or import the product catalog as JSON or CSV.
    #[command(subcommand)]
    Catalog(catalog::CatalogCommand),
    /// Score CVSS v2.0/v3.0/v3.1/v4.0 vectors (arguments, or one per line on stdin).
    Cvss(cvss::CvssArgs),
    /// Policy presets, custom policy checks and the deadlines of a case.
    Policy(policy::PolicyArgs),
    /// The tamper-evident audit trail.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// The organisation's OpenPGP key: signs CSAF documents and security.txt, decrypts mail.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    // Scoring needs no configuration, database or runtime.
    if let Command::Cvss(args) = &cli.command {
        return cvss::run(
            args,
            std::io::stdin().lock(),
            std::io::stdout().lock(),
            std::io::stderr().lock(),
        );
    }
    // Policies are pure data: no configuration, database or runtime either.
    if let Command::Policy(args) = &cli.command {
        return policy::run(args, std::io::stdout().lock(), std::io::stderr().lock());
    }
    let overrides = Overrides {
        listen: match &cli.command {
            Command::Serve(args) => args.listen,
            _ => None,
        },
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
    };
    let config = match Config::load(cli.config.as_deref(), &overrides) {
        Ok(config) => config,
        Err(e) => return fail(&e.to_string()),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => serve::run(config, args).await,
            Command::Migrate => serve::migrate(config).await,
            Command::Admin(command) => admin::run(config, command).await,
            Command::Audit(command) => audit::run(config, command).await,
            Command::Keys(command) => keys::run(config, command).await,
            Command::Catalog(command) => catalog::run(config, command).await,
            // Handled before the configuration is loaded.
            Command::Cvss(_) | Command::Policy(_) => ExitCode::SUCCESS,
        }
    })
}

/// Prints a one-line reason and returns exit code 2.
pub(crate) fn fail(reason: &str) -> ExitCode {
    eprintln!("psirt: {}", reason.replace('\n', " "));
    ExitCode::from(2)
}
