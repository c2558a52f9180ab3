//! Bearer-token authentication of staff on the API.

use axum::{
    extract::FromRequestParts,
    http::{header, request::Parts},
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::{AppState, error::ApiError};
use crate::app::{AppError, Staff, staff};

/// A request made by an authenticated staff member.
pub struct StaffAuth(pub Staff);

impl FromRequestParts<AppState> for StaffAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return Err(AppError::Unauthenticated.into());
        };
        Ok(StaffAuth(staff::authenticate(&state.app, token).await?))
    }
}

/// Declares the `bearer` security scheme in the OpenAPI document.
pub struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("psirt API token")
                    .build(),
            ),
        );
    }
}
