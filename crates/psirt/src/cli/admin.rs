//! `psirt admin …`: staff accounts, API tokens, grants, setup links.

use std::{process::ExitCode, sync::Arc};

use clap::Subcommand;
use psirt_domain::report::Role;

use super::fail;
use crate::{
    app::{App, AppError, admin},
    clock::SystemClock,
    config::Config,
};

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff account.
    CreateUser {
        #[arg(long)]
        email: String,
        /// pso, rd, qa, pm, support or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Create an API token for a staff member; prints the token alone on standard output.
    CreateToken {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// Give a staff member need-to-know on one report.
    Grant {
        #[arg(long)]
        email: String,
        #[arg(long)]
        reference: String,
    },
    /// Print a one-time link to create the first administrator (only while none exists).
    SetupLink,
}

pub async fn run(config: Config, command: AdminCommand) -> ExitCode {
    let app = match App::start(config, Arc::new(SystemClock)).await {
        Ok(app) => app,
        Err(e) => return fail(&format!("cannot open the database: {e}")),
    };
    let result = match command {
        AdminCommand::CreateUser { email, role, name } => match role.parse::<Role>() {
            Err(e) => Err(e.to_string()),
            Ok(role) => admin::create_user(&app, &email, name.as_deref(), role)
                .await
                .map(|u| format!("created {} ({})", u.email, u.role))
                .map_err(describe),
        },
        AdminCommand::CreateToken { email, name } => admin::create_token(&app, &email, &name)
            .await
            .map_err(|e| match e {
                AppError::NotFound => format!("no active staff member with e-mail {email:?}"),
                other => describe(other),
            }),
        AdminCommand::Grant { email, reference } => admin::grant_report(&app, &email, &reference)
            .await
            .map(|()| format!("{email} may now see {reference}"))
            .map_err(|e| match e {
                AppError::NotFound => {
                    format!("no staff member {email:?} or no report {reference:?}")
                }
                other => describe(other),
            }),
        AdminCommand::SetupLink => {
            admin::setup_link(&app)
                .await
                .map_err(describe)
                .and_then(|link| {
                    link.ok_or_else(|| {
                        "an administrator already exists; no setup link is needed".to_owned()
                    })
                })
        }
    };
    app.db.close().await;
    match result {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(reason) => fail(&reason),
    }
}

fn describe(error: AppError) -> String {
    match error {
        AppError::Invalid(fields) => fields.to_string(),
        other => other.to_string(),
    }
}
