//! Staff accounts, API tokens (stored as SHA-256 hashes only), grants and one-time setup links.

use jiff::Timestamp;
use psirt_domain::report::Role;
use sqlx::Row;

use super::{Db, StorageError, new_id, rows};

#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

pub async fn create_user(
    db: &Db,
    email: &str,
    display_name: &str,
    role: Role,
    now: Timestamp,
) -> Result<StoredUser, StorageError> {
    let id = new_id();
    let result = sqlx::query(
        "INSERT INTO users (id, email, display_name, role, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&id)
    .bind(email)
    .bind(display_name)
    .bind(role.as_str())
    .bind(rows::micros(now))
    .execute(db.pool())
    .await;
    match result {
        Ok(_) => Ok(StoredUser {
            id,
            email: email.into(),
            display_name: display_name.into(),
            role,
        }),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(StorageError::Duplicate("a user with this e-mail"))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<StoredUser>, StorageError> {
    let row = sqlx::query(
        "SELECT id, email, display_name, role FROM users WHERE email = $1 AND disabled_at IS NULL",
    )
    .bind(email)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn create_token(
    db: &Db,
    user_id: &str,
    name: &str,
    token_hash: &str,
    now: Timestamp,
) -> Result<String, StorageError> {
    let id = new_id();
    sqlx::query("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(user_id)
        .bind(name)
        .bind(token_hash)
        .bind(rows::micros(now))
        .execute(db.pool())
        .await?;
    Ok(id)
}

/// The active user a live token belongs to.
pub async fn by_token_hash(db: &Db, token_hash: &str) -> Result<Option<StoredUser>, StorageError> {
    let row = sqlx::query(
        "SELECT u.id, u.email, u.display_name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db.pool())
    .await?;
    row.as_ref().map(user_from_row).transpose()
}

/// How many active administrators exist (none: the setup link is offered).
pub async fn count_admins(db: &Db) -> Result<i64, StorageError> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL",
    )
    .fetch_one(db.pool())
    .await?)
}

/// Gives a user need-to-know on one report.
pub async fn grant_report(
    db: &Db,
    user_id: &str,
    report_id: &str,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO grants (id, user_id, report_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(new_id())
        .bind(user_id)
        .bind(report_id)
        .bind(rows::micros(now))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Gives a user need-to-know on every report about a catalog product.
pub async fn grant_product(
    db: &Db,
    user_id: &str,
    product_id: &str,
    now: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO grants (id, user_id, product_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(new_id())
        .bind(user_id)
        .bind(product_id)
        .bind(rows::micros(now))
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Records a one-time setup link (its hash only).
pub async fn create_setup_link(
    db: &Db,
    token_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<(), StorageError> {
    sqlx::query("INSERT INTO setup_links (token_hash, created_at, expires_at) VALUES ($1, $2, $3)")
        .bind(token_hash)
        .bind(rows::micros(now))
        .bind(rows::micros(expires_at))
        .execute(db.pool())
        .await?;
    Ok(())
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<StoredUser, StorageError> {
    let role: String = row.try_get("role")?;
    Ok(StoredUser {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        role: role
            .parse()
            .map_err(|e: psirt_domain::report::UnknownRole| StorageError::Corrupt(e.to_string()))?,
    })
}

/// Spends a valid, unused setup link and creates the first administrator in one transaction.
/// `Ok(None)` when the link is unknown, used or expired.
pub async fn complete_setup(
    db: &Db,
    token_hash: &str,
    email: &str,
    display_name: &str,
    now: Timestamp,
) -> Result<Option<StoredUser>, StorageError> {
    let mut tx = db.pool().begin().await?;
    let spent = sqlx::query("UPDATE setup_links SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1")
        .bind(rows::micros(now))
        .bind(token_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if spent != 1 {
        return Ok(None);
    }
    let id = new_id();
    sqlx::query("INSERT INTO users (id, email, display_name, role, created_at) VALUES ($1, $2, $3, 'admin', $4)")
        .bind(&id)
        .bind(email)
        .bind(display_name)
        .bind(rows::micros(now))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(StoredUser {
        id,
        email: email.into(),
        display_name: display_name.into(),
        role: Role::Admin,
    }))
}

/// Whether a setup link can still be used (for showing the form).
pub async fn setup_link_usable(
    db: &Db,
    token_hash: &str,
    now: Timestamp,
) -> Result<bool, StorageError> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM setup_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(rows::micros(now))
        .fetch_one(db.pool())
        .await?;
    Ok(n == 1)
}

/// The e-mail of a user id (for showing assignees and proposers).
pub async fn email_of(db: &Db, id: &str) -> Result<Option<String>, StorageError> {
    Ok(sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// Every account, for the admin pages: `(user, has password, has TOTP)`.
pub async fn list(db: &Db) -> Result<Vec<(StoredUser, bool, bool)>, StorageError> {
    let rows = sqlx::query(
        "SELECT id, email, display_name, role, password_hash, totp_enabled_at FROM users WHERE disabled_at IS NULL ORDER BY email",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let password: Option<String> = r.try_get("password_hash")?;
            let totp: Option<i64> = r.try_get("totp_enabled_at")?;
            Ok((user_from_row(r)?, password.is_some(), totp.is_some()))
        })
        .collect()
}

/// A token as the admin page lists it (never the secret).
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub created_at: Timestamp,
    pub revoked: bool,
}

pub async fn tokens(db: &Db) -> Result<Vec<TokenRow>, StorageError> {
    let rows = sqlx::query(
        "SELECT t.id, u.email, t.name, t.created_at, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id ORDER BY t.created_at DESC",
    )
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenRow {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                created_at: rows::from_micros(r.try_get("created_at")?)?,
                revoked: r.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
            })
        })
        .collect()
}

pub async fn revoke_token(db: &Db, id: &str, now: Timestamp) -> Result<bool, StorageError> {
    let n =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
            .bind(rows::micros(now))
            .bind(id)
            .execute(db.pool())
            .await?
            .rows_affected();
    Ok(n == 1)
}

/// E-mail addresses of the active staff of a role (e.g. every PSO, for reminders).
pub async fn emails_with_role(db: &Db, role: Role) -> Result<Vec<String>, StorageError> {
    let rows = sqlx::query(
        "SELECT email FROM users WHERE role = $1 AND disabled_at IS NULL ORDER BY email",
    )
    .bind(role.as_str())
    .fetch_all(db.pool())
    .await?;
    rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
}
