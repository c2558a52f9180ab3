//! The organisation's OpenPGP keys (table `openpgp_keys`): at most one active key, retired keys
//! kept. Public reads ([`KeyRow`]) never carry the secret key; only [`secret`] and
//! [`secrets`] read it, for signing and decryption inside the application.

use jiff::Timestamp;
use sqlx::{Any, Row, Transaction, any::AnyRow};

use super::{Db, StorageError, rows};

/// A key as listed and published: everything but the secret.
#[derive(Debug, Clone)]
pub struct KeyRow {
    pub fingerprint: String,
    pub user_id: String,
    pub algorithm: String,
    pub public_key: String,
    pub protected: bool,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub added_at: Timestamp,
    pub retired_at: Option<Timestamp>,
}

/// A new key with its (possibly passphrase-protected) armored secret key.
#[derive(Debug)]
pub struct NewKey<'a> {
    pub row: &'a KeyRow,
    pub secret_key: &'a str,
}

const COLUMNS: &str = "fingerprint, user_id, algorithm, public_key, protected, created_at, expires_at, added_at, retired_at";

fn from_row(r: &AnyRow) -> Result<KeyRow, StorageError> {
    let ts = |c: &str| -> Result<Option<Timestamp>, StorageError> {
        r.try_get::<Option<i64>, _>(c)?
            .map(rows::from_micros)
            .transpose()
    };
    Ok(KeyRow {
        fingerprint: r.try_get("fingerprint")?,
        user_id: r.try_get("user_id")?,
        algorithm: r.try_get("algorithm")?,
        public_key: r.try_get("public_key")?,
        protected: r.try_get::<i64, _>("protected")? != 0,
        created_at: rows::from_micros(r.try_get("created_at")?)?,
        expires_at: ts("expires_at")?,
        added_at: rows::from_micros(r.try_get("added_at")?)?,
        retired_at: ts("retired_at")?,
    })
}

/// Retires the active key (if any) and makes `key` the active one.
pub async fn activate(
    tx: &mut Transaction<'_, Any>,
    key: &NewKey<'_>,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("UPDATE openpgp_keys SET retired_at = $1 WHERE retired_at IS NULL")
        .bind(rows::micros(now))
        .execute(&mut **tx)
        .await?;
    let row = key.row;
    let inserted = sqlx::query(
        "INSERT INTO openpgp_keys (fingerprint, user_id, algorithm, public_key, secret_key, protected, created_at, expires_at, added_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (fingerprint) DO NOTHING",
    )
    .bind(&row.fingerprint)
    .bind(&row.user_id)
    .bind(&row.algorithm)
    .bind(&row.public_key)
    .bind(key.secret_key)
    .bind(i64::from(row.protected))
    .bind(rows::micros(row.created_at))
    .bind(row.expires_at.map(rows::micros))
    .bind(rows::micros(row.added_at))
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        return Err(StorageError::Duplicate("a key with this fingerprint"));
    }
    Ok(())
}

/// Every key, the active one first, then the newest retired.
pub async fn list(db: &Db) -> Result<Vec<KeyRow>, StorageError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM openpgp_keys ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, added_at DESC"
    );
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?;
    rows.iter().map(from_row).collect()
}

/// The active key's public part.
pub async fn active(db: &Db) -> Result<Option<KeyRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM openpgp_keys WHERE retired_at IS NULL");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The active key's fingerprint as seen by `tx` (publication checks it did not change).
pub async fn active_fingerprint(
    tx: &mut Transaction<'_, Any>,
) -> Result<Option<String>, StorageError> {
    Ok(
        sqlx::query_scalar("SELECT fingerprint FROM openpgp_keys WHERE retired_at IS NULL")
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// One key's public part (active or retired); `fingerprint` is matched upper-case.
pub async fn by_fingerprint(db: &Db, fingerprint: &str) -> Result<Option<KeyRow>, StorageError> {
    let sql = format!("SELECT {COLUMNS} FROM openpgp_keys WHERE fingerprint = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(fingerprint.to_ascii_uppercase())
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The stored secret key of `fingerprint`.
pub async fn secret(db: &Db, fingerprint: &str) -> Result<Option<String>, StorageError> {
    Ok(
        sqlx::query_scalar("SELECT secret_key FROM openpgp_keys WHERE fingerprint = $1")
            .bind(fingerprint)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// `(fingerprint, stored secret key)` of every key, the active one first (for decryption).
pub async fn secrets(db: &Db) -> Result<Vec<(String, String)>, StorageError> {
    let rows = sqlx::query(
        "SELECT fingerprint, secret_key FROM openpgp_keys
         ORDER BY CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, added_at DESC",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}
