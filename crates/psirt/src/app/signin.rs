//! Staff sign-in: passwords (Argon2id), the TOTP second factor, server-side sessions with idle
//! and absolute expiry, sign-out everywhere, throttling with exponential back-off per account
//! and per address, and one-time password-set links. The web layer only carries the cookie.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use jiff::{SignedDuration, Timestamp};
use psirt_domain::report::FieldErrors;

use super::{App, AppError, Staff, hash_secret, new_secret, totp};
use crate::storage::sessions::{self, Credentials, NewSession};

/// Failures allowed before back-off starts, per account and per address.
const FREE_ACCOUNT_FAILURES: i64 = 5;
const FREE_ADDRESS_FAILURES: i64 = 20;
/// The longest back-off, in seconds.
const MAX_BACKOFF: i64 = 15 * 60;

/// What to do after the password was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Enter a code of the enrolled authenticator.
    Totp,
    /// Enrol an authenticator first (required for staff).
    Enrol,
    /// Signed in.
    Done,
}

#[derive(Debug)]
pub enum LoginOutcome {
    /// The session cookie value and the next step.
    Started { token: String, next: NextStep },
    /// Wrong e-mail or password (never says which).
    Rejected,
    /// Too many failures: wait this many seconds.
    Throttled(u64),
}

/// A live session, as the web layer sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub staff: Staff,
    pub display_name: String,
    pub csrf: String,
    /// Whether the second factor was passed (or is not required).
    pub signed_in: bool,
    pub totp_enabled: bool,
    pub time_zone: jiff::tz::TimeZone,
    /// A form kept from an expired session: `{"path": …, "fields": [[name, value], …]}`.
    pub draft: Option<String>,
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Unavailable(format!("password hashing: {e}")))
}

fn verify_password(hash: Option<&str>, password: &str) -> bool {
    // Without a stored hash, verify against a fixed one so both paths cost the same.
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yh6Yg1bcXgnmZ0C0GTbXh7k5Zl1L5bV3SiUe4qOjDtM";
    let parsed = PasswordHash::new(hash.unwrap_or(DUMMY));
    let ok = parsed.is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    });
    ok && hash.is_some()
}

/// Checks a new password: 12 to 1024 characters.
pub fn check_password(password: &str, confirm: &str) -> Result<(), AppError> {
    let mut errors = FieldErrors::default();
    let n = password.chars().count();
    if !(12..=1024).contains(&n) {
        errors.push(
            "password",
            "weak_password",
            "Choose a password of at least 12 characters.",
        );
    } else if password != confirm {
        errors.push("password_confirm", "mismatch", "The two passwords differ.");
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.into())
    }
}

fn backoff(failures: i64, free: i64) -> i64 {
    if failures < free {
        return 0;
    }
    let exp = u32::try_from((failures - free).min(20)).unwrap_or(20);
    2_i64.saturating_pow(exp).min(MAX_BACKOFF)
}

async fn blocked(app: &App, keys: &[String], now: Timestamp) -> Result<Option<u64>, AppError> {
    let mut wait = 0_i64;
    for key in keys {
        if let Some((_, until)) = sessions::throttle(&app.db, key).await? {
            wait = wait.max(until.duration_since(now).as_secs());
        }
    }
    Ok((wait > 0).then(|| u64::try_from(wait).unwrap_or(1)))
}

async fn fail(app: &App, keys: &[String], now: Timestamp) -> Result<(), AppError> {
    for key in keys {
        let failures = sessions::throttle(&app.db, key)
            .await?
            .map_or(0, |(f, _)| f)
            + 1;
        let free = if key.starts_with("account:") {
            FREE_ACCOUNT_FAILURES
        } else {
            FREE_ADDRESS_FAILURES
        };
        let until = now
            .saturating_add(SignedDuration::from_secs(backoff(failures, free)))
            .unwrap_or(now);
        sessions::record_failure(&app.db, key, failures, until, now).await?;
    }
    Ok(())
}

fn throttle_keys(email: &str, address: &str) -> Vec<String> {
    vec![
        format!("account:{}", email.trim().to_lowercase()),
        format!("address:{address}"),
    ]
}

/// Checks e-mail and password and starts a session (complete, or waiting for the second factor).
pub async fn login(
    app: &App,
    email: &str,
    password: &str,
    address: &str,
    draft: Option<&str>,
) -> Result<LoginOutcome, AppError> {
    let now = app.clock.now();
    let keys = throttle_keys(email, address);
    if let Some(wait) = blocked(app, &keys, now).await? {
        return Ok(LoginOutcome::Throttled(wait));
    }
    let creds = sessions::credentials_by_email(&app.db, email.trim()).await?;
    let hash = creds.as_ref().and_then(|c| c.password_hash.clone());
    let password = password.to_owned();
    let ok = tokio::task::spawn_blocking(move || verify_password(hash.as_deref(), &password))
        .await
        .unwrap_or(false);
    let Some(creds) = creds.filter(|_| ok) else {
        fail(app, &keys, now).await?;
        return Ok(LoginOutcome::Rejected);
    };
    if let Some(account) = keys.first() {
        sessions::clear_throttle(&app.db, account).await?;
    }
    let next = if creds.totp_enabled {
        NextStep::Totp
    } else if app.config.auth.require_totp {
        NextStep::Enrol
    } else {
        NextStep::Done
    };
    let token = start_session(app, &creds, next == NextStep::Done, draft, now).await?;
    Ok(LoginOutcome::Started { token, next })
}

/// Starts a session for a user whose identity was just proven; returns the cookie value.
pub async fn start_session(
    app: &App,
    creds: &Credentials,
    mfa_done: bool,
    draft: Option<&str>,
    now: Timestamp,
) -> Result<String, AppError> {
    let token = new_secret("");
    let csrf = new_secret("");
    let hours = i64::from(app.config.auth.session_absolute_hours);
    let expires_at = now
        .saturating_add(SignedDuration::from_hours(hours))
        .unwrap_or(now);
    let session = NewSession {
        id_hash: &hash_secret(&token),
        user_id: &creds.user.id,
        csrf_token: &csrf,
        expires_at,
        mfa_done,
        draft,
    };
    sessions::create_session(&app.db, session, now).await?;
    Ok(token)
}

/// The session behind a cookie value, if it is live (it is touched to extend the idle time).
pub async fn session(app: &App, token: &str) -> Result<Option<Session>, AppError> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let id_hash = hash_secret(token);
    let Some(row) = sessions::session(&app.db, &id_hash).await? else {
        return Ok(None);
    };
    let now = app.clock.now();
    let idle = SignedDuration::from_mins(i64::from(app.config.auth.session_idle_minutes));
    if row.expires_at <= now || now.duration_since(row.last_seen_at) >= idle {
        sessions::delete_session(&app.db, &id_hash).await?;
        return Ok(None);
    }
    if now.duration_since(row.last_seen_at) >= SignedDuration::from_secs(30) {
        sessions::touch_session(&app.db, &id_hash, now).await?;
    }
    let c = row.credentials;
    let time_zone = c
        .time_zone
        .as_deref()
        .and_then(|tz| jiff::tz::TimeZone::get(tz).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    Ok(Some(Session {
        staff: Staff {
            user_id: c.user.id,
            email: c.user.email,
            role: c.user.role,
        },
        display_name: c.user.display_name,
        csrf: row.csrf_token,
        signed_in: row.mfa_done,
        totp_enabled: c.totp_enabled,
        time_zone,
        draft: row.draft,
    }))
}

/// Clears the kept form once it was shown.
pub async fn draft_shown(app: &App, token: &str) -> Result<(), AppError> {
    Ok(sessions::take_draft(&app.db, &hash_secret(token)).await?)
}

/// Second step: a TOTP code or a recovery code. Returns the new cookie value (the id rotates).
pub async fn second_factor(
    app: &App,
    token: &str,
    code: &str,
    address: &str,
) -> Result<LoginOutcome, AppError> {
    let Some(s) = session(app, token).await? else {
        return Err(AppError::Unauthenticated);
    };
    let now = app.clock.now();
    let keys = throttle_keys(&s.staff.email, address);
    if let Some(wait) = blocked(app, &keys, now).await? {
        return Ok(LoginOutcome::Throttled(wait));
    }
    let creds = sessions::credentials_by_id(&app.db, &s.staff.user_id)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let code = code.trim();
    let ok = match (creds.totp_secret.as_deref(), creds.totp_enabled) {
        (Some(secret), true) if code.len() <= 8 => {
            match totp::check(app, secret, &creds.user.email, code, now)? {
                Some(step) => sessions::spend_totp_step(&app.db, &creds.user.id, step).await?,
                None => false,
            }
        }
        (Some(_), true) => {
            sessions::spend_recovery_code(&app.db, &creds.user.id, &totp::recovery_hash(code), now)
                .await?
        }
        _ => false,
    };
    if !ok {
        fail(app, &keys, now).await?;
        return Ok(LoginOutcome::Rejected);
    }
    let new_token = rotate(app, token, now).await?;
    Ok(LoginOutcome::Started {
        token: new_token,
        next: NextStep::Done,
    })
}

/// Marks the session as fully signed in under a new id.
pub async fn rotate(app: &App, token: &str, now: Timestamp) -> Result<String, AppError> {
    let new_token = new_secret("");
    if !sessions::pass_mfa(&app.db, &hash_secret(token), &hash_secret(&new_token), now).await? {
        return Err(AppError::Unauthenticated);
    }
    Ok(new_token)
}

pub async fn sign_out(app: &App, token: &str) -> Result<(), AppError> {
    Ok(sessions::delete_session(&app.db, &hash_secret(token)).await?)
}

/// Ends every session of the user, on every device.
pub async fn sign_out_everywhere(app: &App, staff: &Staff) -> Result<u64, AppError> {
    Ok(sessions::delete_user_sessions(&app.db, &staff.user_id).await?)
}

/// A one-time link (72 hours) with which a staff member sets their password.
pub async fn password_link(app: &App, email: &str) -> Result<String, AppError> {
    let creds = sessions::credentials_by_email(&app.db, email.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let token = new_secret("");
    let now = app.clock.now();
    let expires = now
        .saturating_add(SignedDuration::from_hours(72))
        .unwrap_or(now);
    sessions::create_password_link(&app.db, &hash_secret(&token), &creds.user.id, now, expires)
        .await?;
    Ok(format!("{}/password/{token}", app.config.public_url()))
}

/// The e-mail a password link is for, if it is still usable.
pub async fn password_link_email(app: &App, token: &str) -> Result<Option<String>, AppError> {
    if token.len() > 128 {
        return Ok(None);
    }
    let Some(user_id) =
        sessions::password_link_user(&app.db, &hash_secret(token), app.clock.now()).await?
    else {
        return Ok(None);
    };
    Ok(sessions::credentials_by_id(&app.db, &user_id)
        .await?
        .map(|c| c.user.email))
}

/// Sets the password from a link (which is spent; other sessions end).
pub async fn set_password_with_link(
    app: &App,
    token: &str,
    password: &str,
    confirm: &str,
) -> Result<(), AppError> {
    check_password(password, confirm)?;
    let now = app.clock.now();
    let hash_token = hash_secret(token);
    let user_id = sessions::password_link_user(&app.db, &hash_token, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let hash = hash_password(password)?;
    if sessions::spend_password_link(&app.db, &hash_token, &user_id, &hash, now).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}
