//! Receiving a report: validate, record attachments, commit durably, answer with a receipt.

use psirt_domain::report::{Channel, ReportForm};
use serde::Serialize;

use super::{App, AppError, cases, hash_secret, new_secret};
use crate::storage::{PendingAttachment, PendingReport};

/// What the reporter is told once the report is safely stored.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Receipt {
    pub id: String,
    /// The public reference, e.g. `PSIRT-2026-0001`.
    pub reference: String,
    /// The secret that opens the tracking page; shown once.
    pub tracking_token: String,
    pub tracking_url: String,
    /// RFC 3339.
    pub received_at: String,
}

/// Records one report with its already-stored attachments.
///
/// `payload_sha256` is the hash of the request body exactly as it arrived (kept as evidence of
/// what was received).
pub async fn submit(
    app: &App,
    form: ReportForm,
    channel: Channel,
    attachments: Vec<PendingAttachment>,
    payload_sha256: String,
) -> Result<Receipt, AppError> {
    let report = form.parse(channel)?;
    let token = new_secret("");
    let received_at = app.clock.now();
    let (state, next_due_at) = cases::initial_deadlines(app, received_at);
    let stored = app
        .writer
        .submit(PendingReport {
            report,
            received_at,
            tracking_token_hash: hash_secret(&token),
            payload_sha256,
            attachments,
            policy_id: app.policy.id.clone(),
            deadline_state: state.to_owned(),
            next_due_at,
        })
        .await?;
    metrics::counter!("psirt_reports_received_total", "channel" => channel.as_str()).increment(1);
    tracing::info!(reference = %stored.reference, channel = channel.as_str(), "report received");
    Ok(Receipt {
        id: stored.id,
        reference: stored.reference.to_string(),
        tracking_url: format!("{}/track/{token}", app.config.public_url()),
        tracking_token: token,
        received_at: stored.received_at.to_string(),
    })
}
