//! Reading submissions: JSON or multipart bodies, hashed as they arrive, with files streamed
//! into the blob store under the configured limits.

use std::sync::{Arc, Mutex};

use axum::{
    body::Body,
    extract::{FromRequest, Multipart, Request, multipart::MultipartError},
    http::{StatusCode, header},
};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::{AppState, error::ApiError};
use crate::storage::PendingAttachment;

/// What a submission carried: its text fields, its files and the hash of the raw body.
#[derive(Debug, Default)]
pub struct Submission {
    pub fields: Vec<(String, String)>,
    pub files: Vec<PendingAttachment>,
    pub payload_sha256: String,
}

impl Submission {
    pub fn take(&mut self, name: &str) -> Option<String> {
        let at = self.fields.iter().position(|(n, _)| n == name)?;
        Some(self.fields.swap_remove(at).1)
    }
}

pub enum Payload {
    Json(bytes::Bytes),
    Multipart(Submission),
}

/// A body that could not be read, with the text fields read before the failure (so a form can
/// be shown again with what was typed).
#[derive(Debug)]
pub struct ReadFailure {
    pub error: ApiError,
    pub partial: Submission,
}

impl From<ReadFailure> for ApiError {
    fn from(f: ReadFailure) -> Self {
        f.error
    }
}

impl From<ApiError> for ReadFailure {
    fn from(error: ApiError) -> Self {
        Self {
            error,
            partial: Submission::default(),
        }
    }
}

/// Reads a JSON or multipart body; anything else is `unsupported_media_type`.
/// `allowed` lists the multipart text fields accepted (others are `unknown_field`).
pub async fn read(
    state: &AppState,
    request: Request,
    allowed: &[&str],
) -> Result<(Payload, String), ReadFailure> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let hasher = Arc::new(Mutex::new(Sha256::new()));
    let request = hashing(request, hasher.clone());
    let digest = || {
        data_encoding::HEXLOWER.encode(
            &hasher
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone()
                .finalize(),
        )
    };
    if content_type.starts_with("application/json") {
        let bytes =
            axum::body::to_bytes(request.into_body(), state.app.config.limits.max_body_bytes)
                .await
                .map_err(|_| too_large(state.app.config.limits.max_body_bytes as u64))?;
        let hash = digest();
        Ok((Payload::Json(bytes), hash))
    } else if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, state).await.map_err(|e| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_multipart",
                e.body_text(),
            )
        })?;
        let mut submission = Submission::default();
        if let Err(error) = read_multipart(state, multipart, allowed, &mut submission).await {
            return Err(ReadFailure {
                error,
                partial: submission,
            });
        }
        submission.payload_sha256 = digest();
        let hash = submission.payload_sha256.clone();
        Ok((Payload::Multipart(submission), hash))
    } else {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send application/json or multipart/form-data.",
        )
        .into())
    }
}

fn hashing(request: Request, hasher: Arc<Mutex<Sha256>>) -> Request {
    let (parts, body) = request.into_parts();
    let stream = body.into_data_stream().map(move |chunk| {
        if let Ok(bytes) = &chunk {
            hasher
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .update(bytes);
        }
        chunk
    });
    Request::from_parts(parts, Body::from_stream(stream))
}

fn too_large(limit: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("The request is larger than the limit of {limit} bytes; nothing was recorded."),
    )
}

fn multipart_error(e: MultipartError, limit: u64) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(limit)
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_multipart",
            e.body_text(),
        )
    }
}

async fn read_multipart(
    state: &AppState,
    mut multipart: Multipart,
    allowed: &[&str],
    submission: &mut Submission,
) -> Result<(), ApiError> {
    let limits = &state.app.config.limits;
    let body_limit = limits.max_body_bytes as u64;
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, body_limit))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if let Some(file_name) = field.file_name().map(str::to_owned) {
            // Browsers send an empty file part when no file was chosen.
            if file_name.is_empty() {
                while field
                    .chunk()
                    .await
                    .map_err(|e| multipart_error(e, body_limit))?
                    .is_some()
                {}
                continue;
            }
            if name != "attachments" {
                return Err(unknown_field(&name));
            }
            if submission.files.len() >= limits.max_attachments {
                return Err(ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_many_attachments",
                    format!(
                        "At most {} files may be attached; nothing was recorded.",
                        limits.max_attachments
                    ),
                ));
            }
            let content_type = safe_content_type(field.content_type());
            let mut writer = state.app.blobs.writer().await.map_err(internal)?;
            while let Some(chunk) = field
                .chunk()
                .await
                .map_err(|e| multipart_error(e, body_limit))?
            {
                if writer.size() + chunk.len() as u64 > limits.max_attachment_bytes {
                    return Err(ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        format!(
                            "The file {:?} is larger than the limit of {} bytes; nothing was recorded.",
                            display_name(&file_name),
                            limits.max_attachment_bytes
                        ),
                    ));
                }
                writer.write(&chunk).await.map_err(internal)?;
            }
            let blob = writer.finish().await.map_err(internal)?;
            submission.files.push(PendingAttachment {
                sha256: blob.sha256,
                size: blob.size,
                file_name: display_name(&file_name),
                content_type,
            });
        } else {
            if !allowed.contains(&name.as_str()) {
                return Err(unknown_field(&name));
            }
            let text = field
                .text()
                .await
                .map_err(|e| multipart_error(e, body_limit))?;
            submission.fields.push((name, text));
        }
    }
    Ok(())
}

pub fn unknown_field(name: &str) -> ApiError {
    let shown: String = name.chars().take(64).collect();
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "unknown_field",
        format!("Unknown field {shown:?}."),
    )
}

fn internal(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "attachment store failure");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "The file could not be stored; nothing was recorded.",
    )
}

/// The name shown to staff: the last path segment only, without control characters, at most
/// 200 characters. It is a label, never a path.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.trim().is_empty() || cleaned == "." || cleaned == ".." {
        "attachment".into()
    } else {
        cleaned
    }
}

/// A declared type kept only when it is a plain `type/subtype` token; downloads are always
/// served as attachments, so it is informational.
fn safe_content_type(declared: Option<&str>) -> String {
    let ok = |s: &str| {
        let mut parts = s.split('/');
        matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None)
            if !a.is_empty() && !b.is_empty()
            && s.len() <= 100
            && s.bytes().all(|c| c.is_ascii_alphanumeric() || b"/.+-_".contains(&c)))
    };
    match declared {
        Some(t) if ok(t) => t.to_ascii_lowercase(),
        _ => "application/octet-stream".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_labels_not_paths() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("C:\\x\\poc.py"), "poc.py");
        assert_eq!(display_name(".."), "attachment");
        assert_eq!(display_name("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(
            display_name("<img src=x onerror=alert(1)>.png"),
            "<img src=x onerror=alert(1)>.png"
        );
    }

    #[test]
    fn content_types_are_tokens() {
        assert_eq!(safe_content_type(Some("image/png")), "image/png");
        assert_eq!(
            safe_content_type(Some("text/html; charset=utf-8")),
            "application/octet-stream"
        );
        assert_eq!(safe_content_type(None), "application/octet-stream");
    }
}
