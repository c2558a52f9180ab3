//! Headers every response carries, request ids, and per-address rate limiting of public submissions.

use std::{
    collections::HashMap,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::Mutex,
    time::Instant,
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderName, HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{AppState, error::ApiError, pages};

/// No inline script anywhere; scripts and styles only from the binary itself (`static/`).
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
/// For downloads of reporter files: nothing in them may run, even if a browser opens them.
pub const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'";

pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    let defaults: [(HeaderName, &str); 6] = [
        (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ),
    ];
    for (name, value) in defaults {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Cross-site form posts are refused before any handler runs (with the synchronizer token in
/// staff forms, this is the CSRF defence): `Sec-Fetch-Site` must be same-origin or absent, and
/// an `Origin` must be this site. Our pages set `Referrer-Policy: no-referrer`, under which
/// browsers send `Origin: null` on every form post (Fetch standard), so `null` is accepted only
/// when `Sec-Fetch-Site` vouches for the same origin (a sandboxed or `data:` page posting
/// cross-site sends `null` with `cross-site`). The bearer-token API is exempt (browsers do
/// not send tokens).
pub async fn same_origin(request: Request, next: Next) -> Response {
    let safe = matches!(request.method().as_str(), "GET" | "HEAD" | "OPTIONS");
    if safe || request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let h = request.headers();
    let text = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let site = text("sec-fetch-site");
    let site_ok = site.is_empty() || site == "same-origin" || site == "none";
    let origin = text("origin");
    let host = text("host");
    let origin_ok = origin.is_empty()
        || (origin == "null" && site == "same-origin")
        || (!host.is_empty()
            && (origin == format!("http://{host}") || origin == format!("https://{host}")));
    if site_ok && origin_ok {
        next.run(request).await
    } else {
        metrics::counter!("psirt_cross_site_rejected_total").increment(1);
        pages::error_page(
            StatusCode::FORBIDDEN,
            "This form was sent from another site and was refused. Open the page here and send it again.",
        )
    }
}

/// A token bucket per client address.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` to go ahead, or the seconds to wait.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget addresses whose bucket has refilled: they lose nothing.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < capacity
            });
        }
        let (tokens, at) = buckets.entry(client).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

pub async fn rate_limit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    match state.limiter.check(client, Instant::now()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            metrics::counter!("psirt_rate_limited_total").increment(1);
            let detail = format!(
                "Too many submissions from your address; try again in {wait} seconds. Nothing was recorded."
            );
            if request.uri().path().starts_with("/api/") {
                let mut error =
                    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", detail);
                error.retry_after = Some(wait);
                error.into_response()
            } else {
                let mut response = pages::error_page(StatusCode::TOO_MANY_REQUESTS, &detail);
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(wait));
                response
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bucket_limits_and_refills() {
        let limiter = RateLimiter::new(2);
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let t0 = Instant::now();
        assert!(limiter.check(ip, t0).is_ok());
        assert!(limiter.check(ip, t0).is_ok());
        let wait = limiter.check(ip, t0).unwrap_err();
        assert!((1..=30).contains(&wait), "{wait}");
        assert!(
            limiter
                .check(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), t0)
                .is_ok()
        );
        assert!(limiter.check(ip, t0 + Duration::from_secs(31)).is_ok());
    }
}
