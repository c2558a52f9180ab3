//! `psirt catalog export|import --format json|csv`: the whole product catalog as one file.
//! Export writes to standard output (or `--out FILE`); import reads a file (or `-` for standard
//! input), reports every bad row on standard error, one per line, and then imports nothing.

use std::{io::Read, path::PathBuf, process::ExitCode, sync::Arc};

use clap::{Subcommand, ValueEnum};

use super::fail;
use crate::{
    app::{
        App, AppError,
        catalog::transfer::{self, Format},
    },
    clock::SystemClock,
    config::Config,
};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Json,
    Csv,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Json => Format::Json,
            FormatArg::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Print the whole catalog (products, models, versions).
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: FormatArg,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Create or update products, models and versions from a file (`-`: standard input);
    /// all of it or, with any bad row, none of it.
    Import {
        #[arg(long, value_enum, default_value = "json")]
        format: FormatArg,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

pub async fn run(config: Config, command: CatalogCommand) -> ExitCode {
    let app = match App::start(config, Arc::new(SystemClock)).await {
        Ok(app) => app,
        Err(e) => return fail(&format!("cannot open the database: {e}")),
    };
    match command {
        CatalogCommand::Export { format, out } => {
            let doc = match transfer::document(&app).await {
                Ok(doc) => doc,
                Err(e) => return fail(&e.to_string()),
            };
            let text = match Format::from(format) {
                Format::Json => serde_json::to_string_pretty(&doc)
                    .map(|t| t + "\n")
                    .map_err(|e| e.to_string()),
                Format::Csv => transfer::csv_text(&doc).map_err(|e| e.to_string()),
            };
            let text = match text {
                Ok(t) => t,
                Err(e) => return fail(&e),
            };
            match out {
                Some(path) => match std::fs::write(&path, text) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) => fail(&format!("cannot write {}: {e}", path.display())),
                },
                None => {
                    print!("{text}");
                    ExitCode::SUCCESS
                }
            }
        }
        CatalogCommand::Import { format, file } => {
            let mut bytes = Vec::new();
            let read = if file.as_os_str() == "-" {
                std::io::stdin().read_to_end(&mut bytes).map(|_| ())
            } else {
                std::fs::read(&file).map(|b| bytes = b)
            };
            if let Err(e) = read {
                return fail(&format!("cannot read {}: {e}", file.display()));
            }
            let result = match transfer::parse(format.into(), &bytes) {
                Ok((doc, origins)) => {
                    transfer::import_document(&app, "system", &doc, &origins).await
                }
                Err(e) => Err(e),
            };
            match result {
                Ok(s) => {
                    eprintln!(
                        "imported: products {} new, {} updated; models {} new, {} updated; versions {} new, {} updated",
                        s.products_created,
                        s.products_updated,
                        s.models_created,
                        s.models_updated,
                        s.versions_created,
                        s.versions_updated
                    );
                    ExitCode::SUCCESS
                }
                Err(AppError::Invalid(errors)) => {
                    for e in &errors.0 {
                        eprintln!("psirt: {}: {}", e.field, e.message.replace('\n', " "));
                    }
                    eprintln!(
                        "psirt: {} bad row(s) or field(s): nothing was imported",
                        errors.0.len()
                    );
                    ExitCode::from(2)
                }
                Err(e) => fail(&e.to_string()),
            }
        }
    }
}
