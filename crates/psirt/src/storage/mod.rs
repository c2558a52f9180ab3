//! Storage: one SQL code path for SQLite and PostgreSQL through sqlx's `Any` driver.
//!
//! Queries use `$1` placeholders and portable types only (TEXT, BIGINT); every dialect
//! difference lives in [`dialect`]. Times are stored as BIGINT microseconds (UTC).
//! Errors: [`StorageError`]; the application layer maps them to its own.

pub mod advisories;
pub mod advisory_versions;
pub mod audit;
mod batch;
pub mod blobs;
pub mod case_list;
pub mod case_write;
pub mod cases;
pub mod catalog;
pub mod dashboard;
mod dialect;
pub mod jobs;
pub mod keys;
pub mod mail;
pub mod mailer;
mod migrate;
pub mod reports;
mod rows;
pub mod search;
pub mod sessions;
pub mod users;

use std::{str::FromStr, time::Duration};

use sqlx::{
    AnyPool, Executor,
    any::{AnyConnectOptions, AnyPoolOptions},
};

pub use batch::{IntakeWriter, PendingAttachment, PendingReport, StoredReceipt};
pub use dialect::Dialect;
pub use migrate::MIGRATIONS;
pub use rows::{from_micros, micros};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("attachment store error: {0}")]
    Blob(#[from] std::io::Error),
    #[error("unsupported database URL {0:?}: expected sqlite:… or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("the intake writer has stopped")]
    WriterStopped,
    #[error("{0} already exists")]
    Duplicate(&'static str),
    #[error("the record was changed by someone else (stale version)")]
    Stale,
}

/// A connection pool plus the dialect it speaks.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    dialect: Dialect,
    /// The database file, for a SQLite database on disk (not `:memory:`).
    sqlite_file: Option<std::path::PathBuf>,
}

impl Db {
    /// Connects (creating a SQLite file when needed) and sets per-connection pragmas.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StorageError> {
        sqlx::any::install_default_drivers();
        let dialect =
            Dialect::from_url(url).ok_or_else(|| StorageError::UnsupportedUrl(url.to_owned()))?;
        let options = AnyConnectOptions::from_str(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    for pragma in dialect.connection_setup() {
                        conn.execute(*pragma).await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        let sqlite_file = match dialect {
            Dialect::Sqlite => dialect::sqlite_file(url),
            Dialect::Postgres => None,
        };
        Ok(Self {
            pool,
            dialect,
            sqlite_file,
        })
    }

    /// The SQLite database file, when the database is a SQLite file.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        self.sqlite_file.as_deref()
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Applies every embedded migration not yet applied (safe with several processes on PostgreSQL).
    pub async fn migrate(&self) -> Result<Vec<i64>, StorageError> {
        migrate::run(self).await
    }

    /// A cheap round trip, for readiness probes.
    pub async fn ping(&self) -> Result<(), StorageError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A fresh random identifier for a row (128 bits, lower-case base32 without padding).
pub fn new_id() -> String {
    let bytes: [u8; 16] = rand::random();
    data_encoding::BASE32_NOPAD
        .encode(&bytes)
        .to_ascii_lowercase()
}
