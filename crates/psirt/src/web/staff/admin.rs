//! `/admin/…` (administrators): staff accounts and roles, password-set links, grants, and API
//! tokens (created and shown once, listed without secrets, revoked).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use psirt_domain::report::Role;
use serde::Deserialize;

use super::Layout;
use crate::{
    app::{AppError, admin, signin},
    storage::users::{StoredUser, TokenRow},
    web::{
        AppState,
        pages::app_error_page,
        session::{SignedIn, StaffForm},
    },
};

#[derive(Template, WebTemplate)]
#[template(path = "staff/admin_users.html")]
struct UsersPage {
    layout: Layout,
    users: Vec<(StoredUser, bool, bool)>,
    roles: Vec<&'static str>,
    notice: Option<String>,
    error: Option<String>,
}

async fn users_page(
    state: &AppState,
    s: &SignedIn,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    match admin::list_users(&state.app, &s.session.staff).await {
        Ok(users) => {
            let status = if error.is_some() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            (
                status,
                UsersPage {
                    layout: Layout::of(state, s, "admin"),
                    users,
                    roles: vec!["pso", "rd", "qa", "pm", "support", "admin"],
                    notice,
                    error,
                },
            )
                .into_response()
        }
        Err(e) => app_error_page(e),
    }
}

pub async fn users(State(state): State<AppState>, s: SignedIn) -> Response {
    users_page(&state, &s, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct NewUser {
    email: String,
    #[serde(default)]
    name: String,
    role: String,
}

fn message(e: AppError) -> Result<String, AppError> {
    match e {
        AppError::Invalid(f) => Ok(f.to_string()),
        AppError::Conflict(m) => Ok(m),
        AppError::NotFound => Ok("No such staff member or case.".into()),
        other => Err(other),
    }
}

async fn outcome(state: &AppState, s: &SignedIn, result: Result<String, AppError>) -> Response {
    match result {
        Ok(notice) => users_page(state, s, Some(notice), None).await,
        Err(e) => match message(e) {
            Ok(m) => users_page(state, s, None, Some(m)).await,
            Err(e) => app_error_page(e),
        },
    }
}

pub async fn create_user(State(state): State<AppState>, f: StaffForm<NewUser>) -> Response {
    let s = &f.signed_in;
    let result = async {
        admin::require_admin(&s.session.staff)?;
        let role: Role = f.form.role.parse().map_err(|_| AppError::Conflict("unknown role".into()))?;
        let name = Some(f.form.name.trim()).filter(|n| !n.is_empty());
        let user = admin::create_user(&state.app, &f.form.email, name, role).await?;
        let link = signin::password_link(&state.app, &user.email).await?;
        Ok(format!("Created {}. Send them this one-time link to set their password (valid 72 hours): {link}", user.email))
    }
    .await;
    outcome(&state, s, result).await
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    email: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    name: String,
}

pub async fn password_link(State(state): State<AppState>, f: StaffForm<EmailForm>) -> Response {
    let s = &f.signed_in;
    let result = async {
        admin::require_admin(&s.session.staff)?;
        let link = signin::password_link(&state.app, &f.form.email).await?;
        Ok(format!(
            "One-time password link for {}: {link}",
            f.form.email.trim()
        ))
    }
    .await;
    outcome(&state, s, result).await
}

pub async fn grant(State(state): State<AppState>, f: StaffForm<EmailForm>) -> Response {
    let s = &f.signed_in;
    let result = async {
        admin::require_admin(&s.session.staff)?;
        admin::grant_report(&state.app, &f.form.email, &f.form.reference).await?;
        Ok(format!(
            "{} may now see {}.",
            f.form.email.trim(),
            f.form.reference.trim()
        ))
    }
    .await;
    outcome(&state, s, result).await
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/admin_tokens.html")]
struct TokensPage {
    layout: Layout,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    error: Option<String>,
}

async fn tokens_page(
    state: &AppState,
    s: &SignedIn,
    new_token: Option<String>,
    error: Option<String>,
) -> Response {
    match admin::list_tokens(&state.app, &s.session.staff).await {
        Ok(tokens) => TokensPage {
            layout: Layout::of(state, s, "admin"),
            tokens,
            new_token,
            error,
        }
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

pub async fn tokens(State(state): State<AppState>, s: SignedIn) -> Response {
    tokens_page(&state, &s, None, None).await
}

pub async fn create_token(State(state): State<AppState>, f: StaffForm<EmailForm>) -> Response {
    let s = &f.signed_in;
    let result = async {
        admin::require_admin(&s.session.staff)?;
        let name = if f.form.name.trim().is_empty() {
            "web"
        } else {
            f.form.name.trim()
        };
        admin::create_token(&state.app, &f.form.email, name).await
    }
    .await;
    match result {
        Ok(token) => tokens_page(&state, s, Some(token), None).await,
        Err(e) => match message(e) {
            Ok(m) => tokens_page(&state, s, None, Some(m)).await,
            Err(e) => app_error_page(e),
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    id: String,
}

pub async fn revoke_token(State(state): State<AppState>, f: StaffForm<RevokeForm>) -> Response {
    match admin::revoke_token(&state.app, &f.signed_in.session.staff, &f.form.id).await {
        Ok(()) => Redirect::to("/admin/tokens").into_response(),
        Err(e) => app_error_page(e),
    }
}
