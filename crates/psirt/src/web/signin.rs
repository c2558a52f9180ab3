//! Sign-in pages: `/login` (password), `/login/totp` (second factor or recovery code),
//! `/account/totp` (enrolment with a server-rendered QR code, recovery codes shown once),
//! `/logout`, `/logout/everywhere` and `/password/{token}` (one-time password-set link).

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    Form,
    extract::{ConnectInfo, FromRequestParts, Path, Query, State},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::{
    AppState,
    pages::{app_error_page, error_page},
    session::{self, Draft, StaffForm, redirect_with_cookie, safe_next},
};
use crate::app::{
    AppError,
    signin::{self, LoginOutcome, NextStep, Session},
    totp,
};

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    org_name: String,
    next: String,
    email: String,
    draft: String,
    error: Option<String>,
}

/// The sign-in page; `draft` carries a form from an expired session through sign-in.
pub fn login_page(
    state: &AppState,
    next: &str,
    draft: Option<&Draft>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let page = LoginPage {
        org_name: state.app.config.organization.name.clone(),
        next: safe_next(next),
        email: String::new(),
        draft: draft
            .and_then(|d| serde_json::to_string(d).ok())
            .unwrap_or_default(),
        error: error.map(str::to_owned),
    };
    (status, page).into_response()
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

pub async fn login_form(State(state): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    login_page(&state, &q.next, None, None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    draft: String,
}

/// The client address, for throttling per address.
pub struct ClientAddr(String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip().to_string());
        Ok(ClientAddr(ip.unwrap_or_else(|| "unknown".to_owned())))
    }
}

fn with_next(path: &str, next: &str) -> String {
    format!("{path}?next={}", session::encode(next))
}

pub async fn login_submit(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next);
    let draft =
        (!form.draft.is_empty() && form.draft.len() < 512 * 1024).then_some(form.draft.as_str());
    let outcome = signin::login(&state.app, &form.email, &form.password, &address, draft).await;
    let again = |error: String, status: StatusCode| {
        let page = LoginPage {
            org_name: state.app.config.organization.name.clone(),
            next: next.clone(),
            email: form.email.clone(),
            draft: form.draft.clone(),
            error: Some(error),
        };
        (status, page).into_response()
    };
    match outcome {
        Ok(LoginOutcome::Started { token, next: step }) => {
            let to = match step {
                NextStep::Done => next.clone(),
                NextStep::Totp => with_next("/login/totp", &next),
                NextStep::Enrol => with_next("/account/totp", &next),
            };
            redirect_with_cookie(&state.app, &to, Some(&token))
        }
        Ok(LoginOutcome::Rejected) => {
            again("Wrong e-mail or password.".into(), StatusCode::UNAUTHORIZED)
        }
        Ok(LoginOutcome::Throttled(wait)) => throttled(
            again(
                format!("Too many failed attempts. Try again in {wait} seconds."),
                StatusCode::TOO_MANY_REQUESTS,
            ),
            wait,
        ),
        Err(e) => app_error_page(e),
    }
}

fn throttled(mut response: Response, wait: u64) -> Response {
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(wait));
    response
}

/// A session that passed the password step (the second factor may still be missing).
pub struct Partial {
    session: Session,
    token: String,
}

impl FromRequestParts<AppState> for Partial {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token = session::cookie(&state.app, parts).unwrap_or_default();
        match signin::session(&state.app, &token).await {
            Ok(Some(session)) => Ok(Partial { session, token }),
            Ok(None) => Err(Redirect::to("/login").into_response()),
            Err(e) => Err(app_error_page(e)),
        }
    }
}

fn csrf_ok(session: &Session, given: &str) -> bool {
    !given.is_empty() && bool::from(given.as_bytes().ct_eq(session.csrf.as_bytes()))
}

#[derive(Template, WebTemplate)]
#[template(path = "totp.html")]
struct TotpPage {
    org_name: String,
    next: String,
    csrf: String,
    error: Option<String>,
}

pub async fn totp_form(
    State(state): State<AppState>,
    partial: Partial,
    Query(q): Query<NextQuery>,
) -> Response {
    TotpPage {
        org_name: state.app.config.organization.name.clone(),
        next: safe_next(&q.next),
        csrf: partial.session.csrf,
        error: None,
    }
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    csrf: String,
}

pub async fn totp_submit(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    partial: Partial,
    Form(form): Form<CodeForm>,
) -> Response {
    if !csrf_ok(&partial.session, &form.csrf) {
        return error_page(
            StatusCode::FORBIDDEN,
            "This form's security token is out of date. Sign in again.",
        );
    }
    let next = safe_next(&form.next);
    let again = |error: &str, status| {
        let page = TotpPage {
            org_name: state.app.config.organization.name.clone(),
            next: next.clone(),
            csrf: partial.session.csrf.clone(),
            error: Some(error.to_owned()),
        };
        (status, page).into_response()
    };
    match signin::second_factor(&state.app, &partial.token, &form.code, &address).await {
        Ok(LoginOutcome::Started { token, .. }) => {
            redirect_with_cookie(&state.app, &next, Some(&token))
        }
        Ok(LoginOutcome::Rejected) => again(
            "That code is not valid (or was already used).",
            StatusCode::UNAUTHORIZED,
        ),
        Ok(LoginOutcome::Throttled(wait)) => throttled(
            again(
                &format!("Too many failed attempts. Try again in {wait} seconds."),
                StatusCode::TOO_MANY_REQUESTS,
            ),
            wait,
        ),
        Err(e) => app_error_page(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "enrol.html")]
struct EnrolPage {
    org_name: String,
    next: String,
    csrf: String,
    email: String,
    enrolment: Option<totp::Enrolment>,
    recovery_codes: Vec<String>,
    error: Option<String>,
}

pub async fn enrol_form(
    State(state): State<AppState>,
    partial: Partial,
    Query(q): Query<NextQuery>,
) -> Response {
    match totp::new_enrolment(&state.app, &partial.session.staff.email) {
        Ok(enrolment) => EnrolPage {
            org_name: state.app.config.organization.name.clone(),
            next: safe_next(&q.next),
            csrf: partial.session.csrf,
            email: partial.session.staff.email,
            enrolment: Some(enrolment),
            recovery_codes: Vec::new(),
            error: None,
        }
        .into_response(),
        Err(e) => app_error_page(e),
    }
}

pub async fn enrol_submit(
    State(state): State<AppState>,
    partial: Partial,
    Form(form): Form<CodeForm>,
) -> Response {
    if !csrf_ok(&partial.session, &form.csrf) {
        return error_page(
            StatusCode::FORBIDDEN,
            "This form's security token is out of date. Sign in again.",
        );
    }
    let mut page = EnrolPage {
        org_name: state.app.config.organization.name.clone(),
        next: safe_next(&form.next),
        csrf: partial.session.csrf.clone(),
        email: partial.session.staff.email.clone(),
        enrolment: None,
        recovery_codes: Vec::new(),
        error: None,
    };
    match totp::enrol(&state.app, &partial.token, &form.secret, &form.code).await {
        Ok((codes, token)) => {
            page.recovery_codes = codes;
            let mut response = page.into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session::set_cookie(&state.app, Some(&token)),
            );
            response
        }
        Err(AppError::Invalid(fields)) => {
            page.error = fields.0.first().map(|f| f.message.clone());
            page.enrolment =
                totp::enrolment(&state.app, &form.secret, &partial.session.staff.email).ok();
            if page.enrolment.is_none() {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "The enrolment form was altered. Start again.",
                );
            }
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => app_error_page(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct Nothing {}

pub async fn logout(State(state): State<AppState>, form: StaffForm<Nothing>) -> Response {
    match signin::sign_out(&state.app, &form.signed_in.token).await {
        Ok(()) => redirect_with_cookie(&state.app, "/login", None),
        Err(e) => app_error_page(e),
    }
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    form: StaffForm<Nothing>,
) -> Response {
    match signin::sign_out_everywhere(&state.app, &form.signed_in.session.staff).await {
        Ok(_) => redirect_with_cookie(&state.app, "/login", None),
        Err(e) => app_error_page(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
struct PasswordPage {
    org_name: String,
    email: String,
    post_path: String,
    errors: Vec<String>,
    done: bool,
}

pub async fn password_form(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    match signin::password_link_email(&state.app, &token).await {
        Ok(Some(email)) => PasswordPage {
            org_name: state.app.config.organization.name.clone(),
            email,
            post_path: format!("/password/{token}"),
            errors: Vec::new(),
            done: false,
        }
        .into_response(),
        Ok(None) => error_page(
            StatusCode::NOT_FOUND,
            "This password link is unknown, already used or expired.",
        ),
        Err(e) => app_error_page(e),
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let email = match signin::password_link_email(&state.app, &token).await {
        Ok(Some(email)) => email,
        Ok(None) => {
            return error_page(
                StatusCode::NOT_FOUND,
                "This password link is unknown, already used or expired.",
            );
        }
        Err(e) => return app_error_page(e),
    };
    let mut page = PasswordPage {
        org_name: state.app.config.organization.name.clone(),
        email,
        post_path: format!("/password/{token}"),
        errors: Vec::new(),
        done: false,
    };
    match signin::set_password_with_link(&state.app, &token, &form.password, &form.password_confirm)
        .await
    {
        Ok(()) => {
            page.done = true;
            page.into_response()
        }
        Err(AppError::Invalid(fields)) => {
            page.errors = fields.0.into_iter().map(|f| f.message).collect();
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => app_error_page(e),
    }
}
