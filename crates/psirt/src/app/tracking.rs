//! The reporter's side after submission: the private tracking view and their messages.

use psirt_domain::{case::Phase, report::MessageForm};
use serde::Serialize;

use super::{App, AppError, hash_secret};
use crate::storage::{
    PendingAttachment,
    reports::{self, MessageAuthor, StoredReport},
};

/// What a reporter sees of their report: its public status and the reporter-visible conversation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackingView {
    pub reference: String,
    pub title: String,
    /// Public status: `received` until staff act on the report.
    pub status: String,
    pub received_at: String,
    pub messages: Vec<TrackedMessage>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackedMessage {
    pub id: String,
    /// `reporter` or `staff`.
    pub author: String,
    pub body: String,
    pub created_at: String,
    pub attachments: Vec<String>,
}

async fn open(app: &App, token: &str) -> Result<StoredReport, AppError> {
    // Reject absurd tokens before hashing; unknown and malformed look the same (404).
    if token.is_empty() || token.len() > 128 {
        return Err(AppError::NotFound);
    }
    reports::by_tracking_hash(&app.db, &hash_secret(token))
        .await?
        .ok_or(AppError::NotFound)
}

/// What the reporter may know of where their report stands: the phase in plain words, and how
/// it ended (never another case's details).
async fn public_status(app: &App, report: &StoredReport) -> Result<String, AppError> {
    let Some(case) = crate::storage::cases::by_id(&app.db, &report.id).await? else {
        return Ok(report.status.clone());
    };
    let phase: Phase = case.phase.parse().unwrap_or_default();
    Ok(match (phase, case.resolution.as_deref()) {
        (Phase::Closed, Some(resolution)) if resolution != "fixed" => {
            format!("closed ({})", resolution.replace('_', " "))
        }
        (phase, _) if case.waiting_for_reporter && phase != Phase::Closed => {
            "waiting for your answer".to_owned()
        }
        (phase, _) => phase.public_status().to_owned(),
    })
}

pub async fn view(app: &App, token: &str) -> Result<TrackingView, AppError> {
    let report = open(app, token).await?;
    let status = public_status(app, &report).await?;
    let messages = reports::messages(&app.db, &report.id, true).await?;
    let files = reports::attachments(&app.db, &report.id).await?;
    Ok(TrackingView {
        reference: report.reference,
        title: report.title,
        status,
        received_at: report.received_at.to_string(),
        messages: messages
            .into_iter()
            .map(|m| TrackedMessage {
                attachments: files
                    .iter()
                    .filter(|f| f.message_id.as_deref() == Some(m.id.as_str()))
                    .map(|f| f.file_name.clone())
                    .collect(),
                id: m.id,
                author: m.author_kind,
                body: m.body,
                created_at: m.created_at.to_string(),
            })
            .collect(),
    })
}

/// Adds a reporter message (and files) to the conversation.
pub async fn add_message(
    app: &App,
    token: &str,
    form: MessageForm,
    files: Vec<PendingAttachment>,
) -> Result<TrackedMessage, AppError> {
    let report = open(app, token).await?;
    let message = form.parse()?;
    let author = MessageAuthor {
        kind: "reporter",
        user_id: None,
        visibility: "reporter",
    };
    let stored = reports::add_message(
        &app.db,
        &report.id,
        author,
        &message.body,
        &files,
        app.clock.now(),
    )
    .await?;
    metrics::counter!("psirt_reporter_messages_total").increment(1);
    if let Some(case_id) = &report.case_id {
        super::cases::reporter_answered(app, case_id).await?;
    }
    Ok(TrackedMessage {
        id: stored.id,
        author: stored.author_kind,
        body: stored.body,
        created_at: stored.created_at.to_string(),
        attachments: files.into_iter().map(|f| f.file_name).collect(),
    })
}
