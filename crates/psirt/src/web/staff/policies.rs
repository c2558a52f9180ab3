//! `/policies`: the active policy and every preset, readably: grades, milestones, calendar.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::State,
    response::{IntoResponse, Response},
};
use psirt_domain::policy::Policy;

use super::Layout;
use crate::web::{AppState, session::SignedIn};

#[derive(Template, WebTemplate)]
#[template(path = "staff/policies.html")]
struct Page {
    layout: Layout,
    active: String,
    policies: Vec<std::sync::Arc<Policy>>,
}

pub async fn page(State(state): State<AppState>, s: SignedIn) -> Response {
    let mut policies: Vec<_> = state.app.policies.values().cloned().collect();
    let active = state.app.policy.id.clone();
    policies.sort_by_key(|p| (p.id != active, p.id.clone()));
    Page {
        layout: Layout::of(&state, &s, "policies"),
        active,
        policies,
    }
    .into_response()
}
