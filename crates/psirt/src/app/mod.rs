//! Application use cases: one function per action, each in its own transaction, called by both
//! the web layer and the CLI. No rule lives only in a handler.
//!
//! Errors: [`AppError`]; the web layer maps it to problem+json or an HTML page.

pub mod admin;
pub mod advisories;
pub mod cases;
pub mod catalog;
pub mod cvss;
pub mod dashboard;
pub mod demo;
mod demo_cases;
pub mod disclosure;
pub mod intake;
pub mod keys;
pub mod mail;
pub mod openpgp;
pub mod scheduler;
mod secrets;
pub mod signin;
pub mod staff;
pub mod totp;
pub mod tracking;

use std::{collections::HashMap, sync::Arc};

use psirt_domain::{
    clock::Clock,
    policy::{Policy, presets, regime},
    report::{FieldErrors, Role},
};

use crate::{
    config::Config,
    storage::{Db, IntakeWriter, StorageError, blobs::BlobStore, search},
};

pub use secrets::{hash_secret, new_secret};

/// Everything a use case needs, passed down explicitly (no globals).
#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub db: Db,
    pub blobs: BlobStore,
    pub writer: IntakeWriter,
    pub clock: Arc<dyn Clock>,
    /// The policy the organisation runs (a preset or its own file).
    pub policy: Arc<Policy>,
    /// Every policy a case may run under (the presets and the organisation's own), by id.
    pub policies: Arc<HashMap<String, Arc<Policy>>>,
    /// The regulatory regimes, loaded once.
    pub regimes: Arc<Vec<regime::Regime>>,
    /// The organisation's OpenPGP keys, unlocked once per process.
    pub keys: Arc<keys::KeyCache>,
}

impl App {
    /// Connects to the database, applies migrations and starts the intake writer and the
    /// full-text indexer.
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> Result<Self, AppError> {
        tokio::fs::create_dir_all(&config.data_dir)
            .await
            .map_err(|e| {
                AppError::Unavailable(format!(
                    "cannot create the data directory {}: {e}",
                    config.data_dir.display()
                ))
            })?;
        let policy = Arc::new(disclosure::load_policy(&config.organization.policy)?);
        let mut policies = HashMap::new();
        for id in presets::ids() {
            policies.insert(id.to_owned(), Arc::new(disclosure::load_policy(id)?));
        }
        policies.insert(policy.id.clone(), policy.clone());
        let regimes = regime::load_all(&regime::RegimeId::ALL)
            .map_err(|e| AppError::Unavailable(format!("built-in regimes: {e}")))?;
        let db = Db::connect(&config.database_url(), config.limits.database_connections).await?;
        db.migrate().await?;
        let blobs = BlobStore::open(config.attachments_dir())
            .await
            .map_err(StorageError::from)?;
        let indexing = search::IndexSignal::default();
        tokio::spawn(search::run_indexer(db.clone(), indexing.clone()));
        let writer = IntakeWriter::start(db.clone(), config.limits.intake_batch, indexing);
        Ok(Self {
            config: Arc::new(config),
            db,
            blobs,
            writer,
            clock,
            policy,
            policies: Arc::new(policies),
            regimes: Arc::new(regimes),
            keys: keys::new_cache(),
        })
    }
}

impl App {
    /// The policy a case runs under.
    pub fn policy_by_id(&self, id: &str) -> Result<Arc<Policy>, AppError> {
        self.policies.get(id).cloned().ok_or_else(|| {
            AppError::Unavailable(format!(
                "policy {id:?} is not loaded: configure it as organization.policy to read its cases"
            ))
        })
    }

    /// The loaded regimes among `ids`.
    pub fn regimes_for(&self, ids: &[regime::RegimeId]) -> Vec<regime::Regime> {
        self.regimes
            .iter()
            .filter(|r| ids.contains(&r.id))
            .cloned()
            .collect()
    }
}

/// A signed-in staff member (through an API token for now; sessions come with the UI).
#[derive(Debug, Clone)]
pub struct Staff {
    pub user_id: String,
    pub email: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input")]
    Invalid(#[from] FieldErrors),
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// A name or key is taken; the field errors say which (code `duplicate`).
    #[error("already exists")]
    Exists(FieldErrors),
    /// Cases, reports or published advisories name it: it cannot be deleted or renamed.
    #[error("{0}")]
    InUse(String),
    /// A lifecycle guard failed (illegal transition, missing precondition, two-person rule).
    #[error("{0}")]
    Guard(#[from] psirt_domain::case::Guard),
    /// The record changed since the client read it.
    #[error("the case was changed by someone else since you read it (stale version)")]
    Stale,
    #[error("{what} is larger than the limit of {limit} bytes")]
    TooLarge { what: String, limit: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Storage(StorageError),
}

impl From<StorageError> for AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::Stale => AppError::Stale,
            StorageError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
            other => AppError::Storage(other),
        }
    }
}
