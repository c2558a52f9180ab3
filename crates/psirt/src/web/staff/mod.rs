//! The staff workbench: dashboard, case list (with CSV export and bulk assign), case page with
//! its forms, policies and administration. Every handler calls the same use cases as the JSON
//! API (`app::cases`, `app::admin`); no rule lives here. Pages need a complete session
//! ([`SignedIn`]); every post goes through [`StaffForm`] (CSRF token checked).

mod admin;
mod case_forms;
mod case_page;
mod charts;
mod dashboard;
mod format;
mod list;
mod markdown;
mod policies;

use axum::{
    Router,
    routing::{get, post},
};

use super::{AppState, session::SignedIn, signin};
use crate::app::signin::Session;

/// What every staff page's frame shows.
pub struct Layout {
    pub org_name: String,
    pub user: String,
    pub csrf: String,
    pub is_admin: bool,
    /// The section of the navigation to mark as current.
    pub section: &'static str,
}

impl Layout {
    pub fn new(state: &AppState, session: &Session, section: &'static str) -> Self {
        Layout {
            org_name: state.app.config.organization.name.clone(),
            user: format!("{} ({})", session.display_name, session.staff.role),
            csrf: session.csrf.clone(),
            is_admin: session.staff.role == psirt_domain::report::Role::Admin,
            section,
        }
    }

    pub fn of(state: &AppState, s: &SignedIn, section: &'static str) -> Self {
        Self::new(state, &s.session, section)
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(signin::login_form).post(signin::login_submit))
        .route(
            "/login/totp",
            get(signin::totp_form).post(signin::totp_submit),
        )
        .route(
            "/account/totp",
            get(signin::enrol_form).post(signin::enrol_submit),
        )
        .route("/logout", post(signin::logout))
        .route("/logout/everywhere", post(signin::logout_everywhere))
        .route(
            "/password/{token}",
            get(signin::password_form).post(signin::password_submit),
        )
        .route("/dashboard", get(dashboard::page))
        .route("/cases", get(list::page))
        .route("/cases.csv", get(list::csv))
        .route("/cases/assign", post(list::bulk_assign))
        .route("/cases/{reference}", get(case_page::page))
        .route(
            "/cases/{reference}/files/{report}/{id}",
            get(case_page::download),
        )
        .route("/cases/{reference}/actions", post(case_forms::action))
        .route(
            "/cases/{reference}/assessment",
            post(case_forms::assessment),
        )
        .route("/cases/{reference}/cvss", post(case_forms::cvss))
        .route("/cases/{reference}/tasks", post(case_forms::add_task))
        .route(
            "/cases/{reference}/tasks/{id}",
            post(case_forms::update_task),
        )
        .route("/cases/{reference}/messages", post(case_forms::message))
        .route("/cases/{reference}/members", post(case_forms::member))
        .route("/policies", get(policies::page))
        .route("/admin/users", get(admin::users).post(admin::create_user))
        .route("/admin/users/password-link", post(admin::password_link))
        .route("/admin/grants", post(admin::grant))
        .route(
            "/admin/tokens",
            get(admin::tokens).post(admin::create_token),
        )
        .route("/admin/tokens/revoke", post(admin::revoke_token))
}
