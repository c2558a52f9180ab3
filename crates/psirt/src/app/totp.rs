//! The TOTP second factor (RFC 6238, SHA-1, 6 digits, 30 s): enrolment with a QR code rendered
//! on the server as SVG, code checks against the injected clock, and hashed one-time recovery codes.

use totp_rs::{Builder, Totp};

use super::{App, AppError, hash_secret, signin};
use crate::storage::sessions;

/// What the enrolment page shows.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, for typing into an authenticator by hand.
    pub secret: String,
    /// The QR code of the `otpauth://` URI as an SVG `data:` URL.
    pub qr_data_url: String,
}

fn totp(app: &App, secret_b32: &str, email: &str) -> Result<Totp, AppError> {
    let secret = data_encoding::BASE32_NOPAD
        .decode(secret_b32.trim_end_matches('=').as_bytes())
        .map_err(|_| bad_code())?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(email)
        .with_issuer(Some(app.config.organization.name.replace(':', " ")))
        .build()
        .map_err(|e| AppError::Unavailable(format!("totp: {e}")))
}

fn bad_code() -> AppError {
    let mut errors = psirt_domain::report::FieldErrors::default();
    errors.push(
        "code",
        "invalid_code",
        "That code is not valid. Enter the current 6-digit code.",
    );
    errors.into()
}

/// A fresh secret and its QR code.
pub fn new_enrolment(app: &App, email: &str) -> Result<Enrolment, AppError> {
    let bytes: [u8; 20] = rand::random();
    let secret = data_encoding::BASE32_NOPAD.encode(&bytes);
    enrolment(app, &secret, email)
}

/// The enrolment view of a given secret (re-shown after a wrong code).
pub fn enrolment(app: &App, secret: &str, email: &str) -> Result<Enrolment, AppError> {
    let uri = totp(app, secret, email)?
        .to_url()
        .map_err(|e| AppError::Unavailable(format!("totp: {e}")))?;
    let svg = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| AppError::Unavailable(format!("qr code: {e}")))?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build();
    Ok(Enrolment {
        secret: secret.to_owned(),
        qr_data_url: format!(
            "data:image/svg+xml;base64,{}",
            data_encoding::BASE64.encode(svg.as_bytes())
        ),
    })
}

/// The time step a code matches (±1 step of skew), at the app's clock.
pub fn check(
    app: &App,
    secret: &str,
    email: &str,
    code: &str,
    now: jiff::Timestamp,
) -> Result<Option<i64>, AppError> {
    let t = totp(app, secret, email)?;
    let secs = u64::try_from(now.as_second()).unwrap_or(0);
    Ok(t.check(code.trim(), secs)
        .and_then(|step| i64::try_from(step).ok()))
}

/// Recovery codes are 80 random bits: a plain SHA-256 of the normalised code is enough.
pub fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hash_secret(&normal)
}

fn recovery_code() -> String {
    let bytes: [u8; 10] = rand::random();
    let s = data_encoding::BASE32_NOPAD.encode(&bytes).to_lowercase();
    let (a, b) = s.split_at(s.len() / 2);
    format!("{a}-{b}")
}

/// Enables the factor once a code proves the authenticator holds `secret`; returns the recovery
/// codes (shown once, stored hashed) and the rotated session cookie value.
pub async fn enrol(
    app: &App,
    token: &str,
    secret: &str,
    code: &str,
) -> Result<(Vec<String>, String), AppError> {
    let session = signin::session(app, token)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    let now = app.clock.now();
    let step = check(app, secret, &session.staff.email, code, now)?.ok_or_else(bad_code)?;
    let codes: Vec<String> = (0..10).map(|_| recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    sessions::enable_totp(&app.db, &session.staff.user_id, secret, step, &hashes, now).await?;
    let new_token = if session.signed_in {
        token.to_owned()
    } else {
        signin::rotate(app, token, now).await?
    };
    Ok((codes, new_token))
}
