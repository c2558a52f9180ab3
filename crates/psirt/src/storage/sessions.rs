//! Staff sign-in state: credentials (Argon2id hashes, TOTP secrets, hashed recovery codes),
//! server-side sessions (keyed by the SHA-256 of the cookie, shared by every instance), login
//! throttling counters and one-time password-set links.

use jiff::Timestamp;
use sqlx::{Row, any::AnyRow};

use super::{Db, StorageError, new_id, rows, users::StoredUser};

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: StoredUser,
    pub password_hash: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub time_zone: Option<String>,
}

const CREDENTIALS: &str =
    "SELECT id, email, display_name, role, password_hash, totp_secret, totp_enabled_at, time_zone
     FROM users WHERE disabled_at IS NULL AND ";

fn credentials(row: &AnyRow) -> Result<Credentials, StorageError> {
    let role: String = row.try_get("role")?;
    Ok(Credentials {
        user: StoredUser {
            id: row.try_get("id")?,
            email: row.try_get("email")?,
            display_name: row.try_get("display_name")?,
            role: role
                .parse()
                .map_err(|e: psirt_domain::report::UnknownRole| {
                    StorageError::Corrupt(e.to_string())
                })?,
        },
        password_hash: row.try_get("password_hash")?,
        totp_secret: row.try_get("totp_secret")?,
        totp_enabled: row.try_get::<Option<i64>, _>("totp_enabled_at")?.is_some(),
        time_zone: row.try_get("time_zone")?,
    })
}

pub async fn credentials_by_email(
    db: &Db,
    email: &str,
) -> Result<Option<Credentials>, StorageError> {
    let sql = format!("{CREDENTIALS}email = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(email)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(credentials).transpose()
}

pub async fn credentials_by_id(db: &Db, id: &str) -> Result<Option<Credentials>, StorageError> {
    let sql = format!("{CREDENTIALS}id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    row.as_ref().map(credentials).transpose()
}

pub async fn set_password(db: &Db, user_id: &str, hash: &str) -> Result<(), StorageError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Stores a new TOTP secret as enabled, and replaces the recovery codes, in one transaction.
pub async fn enable_totp(
    db: &Db,
    user_id: &str,
    secret: &str,
    step: i64,
    recovery_hashes: &[String],
    now: Timestamp,
) -> Result<(), StorageError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE users SET totp_secret = $1, totp_enabled_at = $2, totp_last_step = $3 WHERE id = $4")
        .bind(secret)
        .bind(rows::micros(now))
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for hash in recovery_hashes {
        sqlx::query("INSERT INTO recovery_codes (id, user_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(user_id)
            .bind(hash)
            .bind(rows::micros(now))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Accepts a TOTP time step once: `false` if it (or a later one) was already used (replay).
pub async fn spend_totp_step(db: &Db, user_id: &str, step: i64) -> Result<bool, StorageError> {
    let n = sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
        .bind(step)
        .bind(user_id)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// Spends an unused recovery code; `false` if there is none with this hash.
pub async fn spend_recovery_code(
    db: &Db,
    user_id: &str,
    hash: &str,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let n = sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
        .bind(rows::micros(now))
        .bind(user_id)
        .bind(hash)
        .execute(db.pool())
        .await?
        .rows_affected();
    Ok(n == 1)
}

/// A session row with its user.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub credentials: Credentials,
    pub csrf_token: String,
    pub last_seen_at: Timestamp,
    pub expires_at: Timestamp,
    pub mfa_done: bool,
    pub draft: Option<String>,
}

pub struct NewSession<'a> {
    pub id_hash: &'a str,
    pub user_id: &'a str,
    pub csrf_token: &'a str,
    pub expires_at: Timestamp,
    pub mfa_done: bool,
    pub draft: Option<&'a str>,
}

pub async fn create_session(
    db: &Db,
    s: NewSession<'_>,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, mfa_at, draft)
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7)")
        .bind(s.id_hash)
        .bind(s.user_id)
        .bind(s.csrf_token)
        .bind(rows::micros(now))
        .bind(rows::micros(s.expires_at))
        .bind(s.mfa_done.then(|| rows::micros(now)))
        .bind(s.draft)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn session(db: &Db, id_hash: &str) -> Result<Option<SessionRow>, StorageError> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.display_name, u.role, u.password_hash, u.totp_secret, u.totp_enabled_at, u.time_zone,
                s.csrf_token, s.last_seen_at, s.expires_at, s.mfa_at, s.draft
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1 AND u.disabled_at IS NULL",
    )
    .bind(id_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(SessionRow {
        credentials: credentials(&row)?,
        csrf_token: row.try_get("csrf_token")?,
        last_seen_at: rows::from_micros(row.try_get("last_seen_at")?)?,
        expires_at: rows::from_micros(row.try_get("expires_at")?)?,
        mfa_done: row.try_get::<Option<i64>, _>("mfa_at")?.is_some(),
        draft: row.try_get("draft")?,
    }))
}

pub async fn touch_session(db: &Db, id_hash: &str, now: Timestamp) -> Result<(), StorageError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(rows::micros(now))
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The second factor was passed: the session gets a new id (no fixation) and counts as signed in.
pub async fn pass_mfa(
    db: &Db,
    old_hash: &str,
    new_hash: &str,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let n = sqlx::query(
        "UPDATE sessions SET id_hash = $1, mfa_at = $2, last_seen_at = $2 WHERE id_hash = $3",
    )
    .bind(new_hash)
    .bind(rows::micros(now))
    .bind(old_hash)
    .execute(db.pool())
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Takes (and clears) the kept form of a session.
pub async fn take_draft(db: &Db, id_hash: &str) -> Result<(), StorageError> {
    sqlx::query("UPDATE sessions SET draft = NULL WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, id_hash: &str) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Signs a user out everywhere.
pub async fn delete_user_sessions(db: &Db, user_id: &str) -> Result<u64, StorageError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(db.pool())
        .await?
        .rows_affected())
}

/// `(failures, blocked_until)` of a throttle key.
pub async fn throttle(db: &Db, key: &str) -> Result<Option<(i64, Timestamp)>, StorageError> {
    let row =
        sqlx::query("SELECT failures, blocked_until FROM login_throttle WHERE throttle_key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?;
    row.map(|r| Ok((r.try_get(0)?, rows::from_micros(r.try_get(1)?)?)))
        .transpose()
}

pub async fn record_failure(
    db: &Db,
    key: &str,
    failures: i64,
    blocked_until: Timestamp,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO login_throttle (throttle_key, failures, last_failure_at, blocked_until) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (throttle_key) DO UPDATE SET failures = $2, last_failure_at = $3, blocked_until = $4")
        .bind(key)
        .bind(failures)
        .bind(rows::micros(now))
        .bind(rows::micros(blocked_until))
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn clear_throttle(db: &Db, key: &str) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

pub async fn create_password_link(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO password_links (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(rows::micros(now))
        .bind(rows::micros(expires_at))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// The user a live, unused password link is for.
pub async fn password_link_user(
    db: &Db,
    token_hash: &str,
    now: Timestamp,
) -> Result<Option<String>, StorageError> {
    Ok(sqlx::query_scalar("SELECT user_id FROM password_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(rows::micros(now))
        .fetch_optional(db.pool())
        .await?)
}

/// Spends a password link and sets the password in one transaction; `false` if it was not usable.
pub async fn spend_password_link(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    hash: &str,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let mut tx = db.pool().begin().await?;
    let n = sqlx::query("UPDATE password_links SET used_at = $1 WHERE token_hash = $2 AND user_id = $3 AND used_at IS NULL AND expires_at > $1")
        .bind(rows::micros(now))
        .bind(token_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n != 1 {
        return Ok(false);
    }
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(true)
}
