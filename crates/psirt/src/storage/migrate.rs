//! Embedded migrations, one directory per dialect, applied in order and recorded with a checksum.

use sha2::{Digest, Sha256};
use sqlx::{Executor, Row};

use super::{Db, Dialect, StorageError};

/// One schema change: `(version, name, sqlite SQL, postgres SQL)`.
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

impl Migration {
    pub fn sql(&self, dialect: Dialect) -> &'static str {
        match dialect {
            Dialect::Sqlite => self.sqlite,
            Dialect::Postgres => self.postgres,
        }
    }
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "intake",
        sqlite: include_str!("../../migrations/sqlite/0001_intake.sql"),
        postgres: include_str!("../../migrations/postgres/0001_intake.sql"),
    },
    Migration {
        version: 2,
        name: "cases",
        sqlite: include_str!("../../migrations/sqlite/0002_cases.sql"),
        postgres: include_str!("../../migrations/postgres/0002_cases.sql"),
    },
    Migration {
        version: 3,
        name: "search",
        sqlite: include_str!("../../migrations/sqlite/0003_search.sql"),
        postgres: include_str!("../../migrations/postgres/0003_search.sql"),
    },
    Migration {
        version: 4,
        name: "case_list",
        sqlite: include_str!("../../migrations/sqlite/0004_case_list.sql"),
        postgres: include_str!("../../migrations/postgres/0004_case_list.sql"),
    },
    Migration {
        version: 5,
        name: "staff_sign_in",
        sqlite: include_str!("../../migrations/sqlite/0005_staff_sign_in.sql"),
        postgres: include_str!("../../migrations/postgres/0005_staff_sign_in.sql"),
    },
    Migration {
        version: 6,
        name: "publication",
        sqlite: include_str!("../../migrations/sqlite/0006_publication.sql"),
        postgres: include_str!("../../migrations/postgres/0006_publication.sql"),
    },
    Migration {
        version: 8,
        name: "case_list_covering",
        sqlite: include_str!("../../migrations/sqlite/0008_case_list_covering.sql"),
        postgres: include_str!("../../migrations/postgres/0008_case_list_covering.sql"),
    },
    Migration {
        version: 9,
        name: "task_evidence",
        sqlite: include_str!("../../migrations/sqlite/0009_task_evidence.sql"),
        postgres: include_str!("../../migrations/postgres/0009_task_evidence.sql"),
    },
    Migration {
        version: 11,
        name: "openpgp_keys",
        sqlite: include_str!("../../migrations/sqlite/0011_openpgp_keys.sql"),
        postgres: include_str!("../../migrations/postgres/0011_openpgp_keys.sql"),
    },
    Migration {
        version: 12,
        name: "catalog",
        sqlite: include_str!("../../migrations/sqlite/0012_catalog.sql"),
        postgres: include_str!("../../migrations/postgres/0012_catalog.sql"),
    },
    Migration {
        version: 16,
        name: "search_queue",
        sqlite: include_str!("../../migrations/sqlite/0016_search_queue.sql"),
        postgres: include_str!("../../migrations/postgres/0016_search_queue.sql"),
    },
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL)";

pub(super) async fn run(db: &Db) -> Result<Vec<i64>, StorageError> {
    let mut conn = db.pool().acquire().await?;
    if let Some((lock, _)) = db.dialect().migration_lock() {
        conn.execute(lock).await?;
    }
    let result = apply_pending(db.dialect(), &mut conn).await;
    if let Some((_, unlock)) = db.dialect().migration_lock() {
        conn.execute(unlock).await?;
    }
    result
}

async fn apply_pending(
    dialect: Dialect,
    conn: &mut sqlx::AnyConnection,
) -> Result<Vec<i64>, StorageError> {
    conn.execute(CREATE_TABLE).await?;
    let applied = sqlx::query("SELECT version, checksum FROM schema_migrations")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    let mut done = Vec::new();
    for migration in MIGRATIONS {
        let sql = migration.sql(dialect);
        let checksum = data_encoding::HEXLOWER.encode(&Sha256::digest(sql.as_bytes()));
        if let Some((_, recorded)) = applied.iter().find(|(v, _)| *v == migration.version) {
            if *recorded != checksum {
                return Err(StorageError::Corrupt(format!(
                    "migration {} ({}) was changed after it was applied",
                    migration.version, migration.name
                )));
            }
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        tx.execute(sqlx::raw_sql(sql)).await?;
        sqlx::query("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(checksum)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        done.push(migration.version);
    }
    Ok(done)
}
