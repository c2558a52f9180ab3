//! The staff session on the web: the cookie (`HttpOnly`, `SameSite=Lax`, `Secure` and the
//! `__Host-` prefix behind https), the [`SignedIn`] extractor that sends a visitor without a
//! session to `/login?next=…`, and [`StaffForm`], the only way a staff page posts: it checks the
//! synchronizer CSRF token, and when the session has expired it answers with the sign-in page
//! carrying what was typed, so the form comes back filled in afterwards.

use axum::{
    extract::{FromRequest, FromRequestParts, Request},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use subtle::ConstantTimeEq;

use super::{AppState, pages::error_page, signin};
use crate::app::{App, signin::Session};

/// Largest staff form accepted (messages, rationales).
const MAX_FORM_BYTES: usize = 1024 * 1024;

pub fn cookie_name(app: &App) -> &'static str {
    if secure(app) {
        "__Host-psirt_session"
    } else {
        "psirt_session"
    }
}

fn secure(app: &App) -> bool {
    app.config.public_url().starts_with("https://")
}

/// `Set-Cookie` for a session value (or an expired one to clear it).
pub fn set_cookie(app: &App, token: Option<&str>) -> HeaderValue {
    let secure = if secure(app) { "; Secure" } else { "" };
    let value = match token {
        Some(t) => format!(
            "{}={t}; Path=/; HttpOnly; SameSite=Lax{secure}",
            cookie_name(app)
        ),
        None => format!(
            "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
            cookie_name(app)
        ),
    };
    HeaderValue::from_str(&value)
        .unwrap_or_else(|_| HeaderValue::from_static("psirt_session=; Max-Age=0"))
}

/// The session cookie's value in a request.
pub fn cookie(app: &App, parts: &Parts) -> Option<String> {
    let name = cookie_name(app);
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Only local paths are followed after sign-in (no open redirect).
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() < 2000;
    if ok {
        next.to_owned()
    } else {
        "/dashboard".to_owned()
    }
}

/// A response that redirects and sets (or clears) the session cookie.
pub fn redirect_with_cookie(app: &App, to: &str, token: Option<&str>) -> Response {
    let mut response = Redirect::to(to).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, set_cookie(app, token));
    response
}

/// A form that arrived after its session ended, kept to be shown again.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Draft {
    pub path: String,
    pub fields: Vec<(String, String)>,
}

impl Draft {
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A staff member with a complete session (password and, when required, second factor).
pub struct SignedIn {
    pub session: Session,
    pub token: String,
    /// A form kept from an expired session for this very page.
    pub draft: Option<Draft>,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = parts
            .uri
            .path_and_query()
            .map_or("/dashboard", |p| p.as_str())
            .to_owned();
        let token = cookie(&state.app, parts).unwrap_or_default();
        let session = match crate::app::signin::session(&state.app, &token).await {
            Ok(s) => s,
            Err(e) => return Err(super::pages::app_error_page(e)),
        };
        let Some(session) = session else {
            let to = format!("/login?next={}", encode(&path));
            return Err(Redirect::to(&to).into_response());
        };
        if !session.signed_in {
            let to = if session.totp_enabled {
                "/login/totp"
            } else {
                "/account/totp"
            };
            return Err(Redirect::to(to).into_response());
        }
        let draft = session
            .draft
            .as_deref()
            .and_then(|d| serde_json::from_str::<Draft>(d).ok())
            .filter(|d| d.path == parts.uri.path());
        if draft.is_some() {
            let _ = crate::app::signin::draft_shown(&state.app, &token).await;
        }
        Ok(SignedIn {
            session,
            token,
            draft,
        })
    }
}

pub fn encode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// The page a form belongs to: `/cases/X/tasks` → `/cases/X`.
fn page_of(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        ["cases", reference, _, ..] => format!("/cases/{reference}"),
        ["admin", section, _, ..] => format!("/admin/{section}"),
        _ => path.to_owned(),
    }
}

/// A posted staff form: signed in, CSRF token checked, fields parsed into `T`.
pub struct StaffForm<T> {
    pub signed_in: SignedIn,
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned> FromRequest<AppState> for StaffForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| error_page(StatusCode::PAYLOAD_TOO_LARGE, "This form is too large."))?;
        let signed_in = match SignedIn::from_request_parts(&mut parts, state).await {
            Ok(s) => s,
            Err(_) => {
                // The session is gone: keep what was typed and ask to sign in again.
                let fields: Vec<(String, String)> =
                    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|(k, _)| k != "csrf")
                        .collect();
                let page = page_of(parts.uri.path());
                let draft = Draft {
                    path: page.clone(),
                    fields,
                };
                return Err(signin::login_page(
                    state,
                    &page,
                    Some(&draft),
                    Some(
                        "Your session ended. Sign in again: what you typed is kept and shown again.",
                    ),
                    StatusCode::UNAUTHORIZED,
                ));
            }
        };
        let given: CsrfField = serde_urlencoded::from_bytes(&bytes).unwrap_or(CsrfField {
            csrf: String::new(),
        });
        let expected = signed_in.session.csrf.as_bytes();
        if given.csrf.is_empty() || !bool::from(given.csrf.as_bytes().ct_eq(expected)) {
            return Err(error_page(
                StatusCode::FORBIDDEN,
                "This form's security token is missing or out of date. Go back, reload the page and send it again.",
            ));
        }
        let form = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| {
            error_page(
                StatusCode::BAD_REQUEST,
                &format!("This form could not be read: {e}"),
            )
        })?;
        Ok(StaffForm { signed_in, form })
    }
}
