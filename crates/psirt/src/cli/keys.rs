//! `psirt keys …`: the organisation's OpenPGP key (signs CSAF documents and security.txt,
//! decrypts mail). Armored keys and fingerprints go to stdout, messages to stderr.

use std::{io::Read, path::PathBuf, process::ExitCode, sync::Arc};

use clap::Subcommand;

use super::fail;
use crate::{
    app::{App, AppError, keys},
    clock::SystemClock,
    config::Config,
};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a key (Ed25519/Cv25519, OpenPGP v4), make it the active key and sign every
    /// published CSAF document with it; prints its fingerprint.
    Generate {
        /// User id (default: `<organization.name> <<security contact>>`).
        #[arg(long)]
        user_id: Option<String>,
        /// Expire after this many days (default: never; rotate by generating a new key).
        #[arg(long, value_name = "DAYS")]
        expires_in_days: Option<u32>,
    },
    /// Import a secret key (`gpg --export-secret-keys --armor FPR`), make it the active key and
    /// sign every published CSAF document with it; prints its fingerprint.
    Import {
        /// The key file, or `-` for standard input.
        file: PathBuf,
        /// A file whose first line is the key's passphrase, when it has one.
        #[arg(long, value_name = "FILE")]
        passphrase_file: Option<PathBuf>,
    },
    /// Print a public key, armored (default: the active key).
    Export {
        #[arg(long)]
        fingerprint: Option<String>,
        /// Print the secret key instead, as stored (protected by openpgp.key_passphrase when
        /// set): for an offline backup.
        #[arg(long)]
        secret: bool,
    },
    /// List the keys, the active one first.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: Config, command: KeysCommand) -> ExitCode {
    // Read files before opening the database, so bad input fails fast.
    let input = match &command {
        KeysCommand::Import {
            file,
            passphrase_file,
        } => match read_input(file, passphrase_file.as_ref()) {
            Ok(input) => Some(input),
            Err(reason) => return fail(&reason),
        },
        _ => None,
    };
    let app = match App::start(config, Arc::new(SystemClock)).await {
        Ok(app) => app,
        Err(e) => return fail(&format!("cannot open the database: {e}")),
    };
    let result = match command {
        KeysCommand::Generate {
            user_id,
            expires_in_days,
        } => keys::generate(&app, user_id.as_deref(), expires_in_days)
            .await
            .map(added),
        KeysCommand::Import { .. } => match input {
            Some((key, passphrase)) => keys::import(&app, &key, passphrase.as_deref())
                .await
                .map(added),
            None => Err(AppError::NotFound),
        },
        KeysCommand::Export {
            fingerprint,
            secret,
        } => {
            if secret {
                keys::export_secret(&app, fingerprint.as_deref()).await
            } else {
                keys::export_public(&app, fingerprint.as_deref()).await
            }
        }
        KeysCommand::List { json } => keys::list(&app).await.map(|list| listing(&list, json)),
    };
    app.db.close().await;
    match result {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(AppError::NotFound) => fail("no such key (psirt keys list; psirt keys generate)"),
        Err(AppError::Invalid(fields)) => fail(&fields.to_string()),
        Err(e) => fail(&e.to_string()),
    }
}

type ImportInput = (Vec<u8>, Option<String>);

fn read_input(file: &PathBuf, passphrase: Option<&PathBuf>) -> Result<ImportInput, String> {
    let key = if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read the key from standard input: {e}"))?;
        buf
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?
    };
    let passphrase = passphrase
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|text| text.lines().next().unwrap_or_default().to_owned())
                .map_err(|e| format!("cannot read {}: {e}", p.display()))
        })
        .transpose()?;
    Ok((key, passphrase))
}

fn added((key, signed): (keys::KeyInfo, usize)) -> String {
    eprintln!(
        "psirt: {} is the active key ({}); {signed} published CSAF document(s) signed; public key at {}",
        key.fingerprint, key.user_id, key.url
    );
    format!("{}\n", key.fingerprint)
}

fn listing(keys: &[keys::KeyInfo], json: bool) -> String {
    if json {
        return serde_json::to_string_pretty(keys).unwrap_or_default() + "\n";
    }
    let mut out = String::new();
    for k in keys {
        let state = match k.retired_at {
            None => "active".to_owned(),
            Some(t) => format!("retired {t}"),
        };
        let expires = k
            .expires_at
            .map_or_else(|| "never".to_owned(), |t| t.to_string());
        out.push_str(&format!(
            "{}  {}  {}  created {}  expires {}  {}{}\n",
            k.fingerprint,
            state,
            k.algorithm,
            k.created_at,
            expires,
            k.user_id,
            if k.protected {
                ""
            } else {
                "  (stored unprotected)"
            }
        ));
    }
    out
}
