//! Operator actions: staff accounts, API tokens, grants and the one-time setup link.

use jiff::SignedDuration;
use psirt_domain::report::{EmailAddress, FieldErrors, Role};

use super::{App, AppError, hash_secret, new_secret};
use crate::storage::{StorageError, reports, users};

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

/// Creates the first administrator from a setup link and returns their first API token
/// (shown once). Password sign-in arrives with the staff interface.
pub async fn complete_setup(
    app: &App,
    token: &str,
    email: &str,
    display_name: &str,
) -> Result<String, AppError> {
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
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(errors.into());
    };
    let now = app.clock.now();
    let user = users::complete_setup(&app.db, &hash_secret(token), email.as_str(), name, now)
        .await?
        .ok_or(AppError::NotFound)?;
    let api_token = new_secret("psirt_");
    users::create_token(
        &app.db,
        &user.id,
        "first token (setup)",
        &hash_secret(&api_token),
        now,
    )
    .await?;
    Ok(api_token)
}
