//! Operator actions: staff accounts, API tokens, grants and the one-time setup link.

use jiff::SignedDuration;
use psirt_domain::report::{EmailAddress, FieldErrors, Role};

use super::{App, AppError, hash_secret, new_secret, signin};
use crate::storage::{StorageError, reports, sessions, users};

pub async fn create_user(
    app: &App,
    email: &str,
    display_name: Option<&str>,
    role: Role,
) -> Result<users::StoredUser, AppError> {
    let email = EmailAddress::parse(email).map_err(|e| {
        let mut errors = FieldErrors::default();
        errors.push("email", "invalid_email", e.to_string());
        errors
    })?;
    let name = display_name.map(str::to_owned).unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    });
    users::create_user(&app.db, email.as_str(), &name, role, app.clock.now())
        .await
        .map_err(|e| match e {
            StorageError::Duplicate(what) => AppError::Conflict(format!("{what} already exists")),
            other => other.into(),
        })
}

/// Creates an API token for a user and returns it (the only time it is ever shown).
pub async fn create_token(app: &App, email: &str, name: &str) -> Result<String, AppError> {
    let user = users::by_email(&app.db, email.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let token = new_secret("psirt_");
    users::create_token(
        &app.db,
        &user.id,
        name,
        &hash_secret(&token),
        app.clock.now(),
    )
    .await?;
    Ok(token)
}

/// Grants a user need-to-know on one report.
pub async fn grant_report(app: &App, email: &str, reference: &str) -> Result<(), AppError> {
    let user = users::by_email(&app.db, email.trim())
        .await?
        .ok_or(AppError::NotFound)?;
    let all = reports::Viewer {
        user_id: "",
        sees_all: true,
    };
    let report = reports::by_reference(&app.db, all, reference)
        .await?
        .ok_or(AppError::NotFound)?;
    users::grant_report(&app.db, &user.id, &report.id, app.clock.now()).await?;
    Ok(())
}

/// A one-time link that lets the first administrator set up their account, valid for 24 hours.
/// `None` when an administrator already exists (there is nothing to set up).
pub async fn setup_link(app: &App) -> Result<Option<String>, AppError> {
    if users::count_admins(&app.db).await? > 0 {
        return Ok(None);
    }
    let token = new_secret("");
    let now = app.clock.now();
    let expires = now
        .saturating_add(SignedDuration::from_hours(24))
        .unwrap_or(now);
    users::create_setup_link(&app.db, &hash_secret(&token), now, expires).await?;
    Ok(Some(format!("{}/setup/{token}", app.config.public_url())))
}

/// Whether a setup link is still valid.
pub async fn setup_link_valid(app: &App, token: &str) -> Result<bool, AppError> {
    Ok(token.len() <= 128
        && users::setup_link_usable(&app.db, &hash_secret(token), app.clock.now()).await?)
}

/// What the setup link gives the first administrator: an API token (shown once) and a session.
#[derive(Debug)]
pub struct SetupDone {
    pub api_token: String,
    /// Cookie value of a session that goes on to TOTP enrolment.
    pub session_token: String,
}

/// Creates the first administrator from a setup link, with their password, and returns their
/// first API token (shown once) and a session that leads into TOTP enrolment.
pub async fn complete_setup(
    app: &App,
    token: &str,
    email: &str,
    display_name: &str,
    password: &str,
    password_confirm: &str,
) -> Result<SetupDone, AppError> {
    let mut errors = FieldErrors::default();
    let email = match EmailAddress::parse(email) {
        Ok(email) => Some(email),
        Err(e) => {
            errors.push("email", "invalid_email", e.to_string());
            None
        }
    };
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.contains(['\0', '\n', '\r']) {
        errors.push(
            "display_name",
            "invalid_name",
            "Give a name of 1 to 200 characters on one line.",
        );
    }
    if let Err(AppError::Invalid(fields)) = signin::check_password(password, password_confirm) {
        errors.0.extend(fields.0);
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let hash = signin::hash_password(password)?;
    let now = app.clock.now();
    let user = users::complete_setup(&app.db, &hash_secret(token), email.as_str(), name, now)
        .await?
        .ok_or(AppError::NotFound)?;
    sessions::set_password(&app.db, &user.id, &hash).await?;
    let api_token = new_secret("psirt_");
    users::create_token(
        &app.db,
        &user.id,
        "first token (setup)",
        &hash_secret(&api_token),
        now,
    )
    .await?;
    let creds = sessions::credentials_by_id(&app.db, &user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let session_token =
        signin::start_session(app, &creds, !app.config.auth.require_totp, None, now).await?;
    Ok(SetupDone {
        api_token,
        session_token,
    })
}

fn admin_only(staff: &super::Staff) -> Result<(), AppError> {
    if staff.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only an administrator may manage staff and tokens",
        ))
    }
}

/// Every account with whether it has a password and a second factor (admin).
pub async fn list_users(
    app: &App,
    staff: &super::Staff,
) -> Result<Vec<(users::StoredUser, bool, bool)>, AppError> {
    admin_only(staff)?;
    Ok(users::list(&app.db).await?)
}

/// Every API token, without secrets (admin).
pub async fn list_tokens(
    app: &App,
    staff: &super::Staff,
) -> Result<Vec<users::TokenRow>, AppError> {
    admin_only(staff)?;
    Ok(users::tokens(&app.db).await?)
}

/// Revokes an API token (admin).
pub async fn revoke_token(app: &App, staff: &super::Staff, id: &str) -> Result<(), AppError> {
    admin_only(staff)?;
    if users::revoke_token(&app.db, id, app.clock.now()).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// The admin pages' checks around the operator actions.
pub fn require_admin(staff: &super::Staff) -> Result<(), AppError> {
    admin_only(staff)
}
