//! `psirt audit verify`: recomputes the hash chain and names the first broken event.

use std::process::ExitCode;

use clap::Subcommand;

use super::fail;
use crate::{
    config::Config,
    storage::{Db, audit},
};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the audit chain; exit 1 and name the first broken event if it was tampered with.
    Verify {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, command: AuditCommand) -> ExitCode {
    let AuditCommand::Verify { json } = command;
    let db = match Db::connect(&config.database_url(), 2).await {
        Ok(db) => db,
        Err(e) => return fail(&e.to_string()),
    };
    if let Err(e) = db.migrate().await {
        return fail(&e.to_string());
    }
    let result = audit::verify(&db).await;
    db.close().await;
    match result {
        Ok(audit::Verification::Intact { events }) => {
            if json {
                println!("{}", serde_json::json!({"intact": true, "events": events}));
            } else {
                println!("audit trail intact: {events} events");
            }
            ExitCode::SUCCESS
        }
        Ok(audit::Verification::Broken { seq, reason }) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"intact": false, "first_broken_event": seq, "reason": reason})
                );
            } else {
                println!("audit trail BROKEN at event {seq}: {reason}");
            }
            ExitCode::from(1)
        }
        Err(e) => fail(&e.to_string()),
    }
}
