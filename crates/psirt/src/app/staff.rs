//! What staff do with reports through the API: authenticate, list, read, download files.
//! Need-to-know is applied by the storage queries through [`Viewer`].

use serde::Serialize;

use super::{App, AppError, Staff, hash_secret};
use crate::storage::{
    reports::{self, StoredAttachment, StoredReport, Viewer},
    users,
};

/// Resolves a bearer token to the staff member it belongs to.
pub async fn authenticate(app: &App, bearer: &str) -> Result<Staff, AppError> {
    if bearer.is_empty() || bearer.len() > 256 {
        return Err(AppError::Unauthenticated);
    }
    let user = users::by_token_hash(&app.db, &hash_secret(bearer))
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Ok(Staff {
        user_id: user.id,
        email: user.email,
        role: user.role,
    })
}

fn viewer(staff: &Staff) -> Viewer<'_> {
    Viewer {
        user_id: &staff.user_id,
        sees_all: staff.role.sees_all_reports(),
    }
}

/// A report as staff read it through the API.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportView {
    pub id: String,
    pub reference: String,
    pub channel: String,
    pub received_at: String,
    pub status: String,
    pub anonymous: bool,
    pub reporter: ReporterView,
    pub product: Option<String>,
    pub model: Option<String>,
    pub version: Option<String>,
    pub title: String,
    pub description: String,
    pub technical_details: Option<String>,
    pub reproduction_steps: Option<String>,
    pub disclosure_plans: Option<String>,
    pub attachments: Vec<AttachmentView>,
    /// The whole conversation, internal notes included, oldest first.
    pub messages: Vec<MessageView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    pub id: String,
    /// `reporter` or `staff`.
    pub author: String,
    /// `reporter` (the reporter sees it) or `internal`.
    pub visibility: String,
    pub body: String,
    pub created_at: String,
    /// Ids of the attachments sent with this message.
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReporterView {
    pub name: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    /// Relative URL of the download (staff only).
    pub download: String,
}

/// One list entry.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportSummary {
    pub id: String,
    pub reference: String,
    pub channel: String,
    pub received_at: String,
    pub status: String,
    pub title: String,
    pub product: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportList {
    pub items: Vec<ReportSummary>,
    pub total: i64,
}

pub async fn list(
    app: &App,
    staff: &Staff,
    limit: i64,
    offset: i64,
) -> Result<ReportList, AppError> {
    let (rows, total) =
        reports::list(&app.db, viewer(staff), limit.clamp(1, 500), offset.max(0)).await?;
    let items = rows
        .into_iter()
        .map(|r| ReportSummary {
            id: r.id,
            reference: r.reference,
            channel: r.channel,
            received_at: r.received_at.to_string(),
            status: r.status,
            title: r.title,
            product: r.product,
        })
        .collect();
    Ok(ReportList { items, total })
}

pub async fn get(app: &App, staff: &Staff, reference: &str) -> Result<ReportView, AppError> {
    let report = visible(app, staff, reference).await?;
    let files = reports::attachments(&app.db, &report.id).await?;
    let messages = reports::messages(&app.db, &report.id, false).await?;
    let messages = messages
        .into_iter()
        .map(|m| MessageView {
            attachments: files
                .iter()
                .filter(|f| f.message_id.as_deref() == Some(m.id.as_str()))
                .map(|f| f.id.clone())
                .collect(),
            id: m.id,
            author: m.author_kind,
            visibility: m.visibility,
            body: m.body,
            created_at: m.created_at.to_string(),
        })
        .collect();
    Ok(report_view(report, files, messages))
}

/// An attachment's metadata and bytes, for a staff member who may see the report.
pub async fn attachment(
    app: &App,
    staff: &Staff,
    reference: &str,
    attachment_id: &str,
) -> Result<(StoredAttachment, Vec<u8>), AppError> {
    let report = visible(app, staff, reference).await?;
    let file = reports::attachments(&app.db, &report.id)
        .await?
        .into_iter()
        .find(|f| f.id == attachment_id)
        .ok_or(AppError::NotFound)?;
    let bytes = app
        .blobs
        .get(&file.sha256)
        .await
        .map_err(crate::storage::StorageError::from)?;
    let bytes = bytes.ok_or_else(|| {
        AppError::Unavailable(format!(
            "attachment {} is missing from the store",
            file.sha256
        ))
    })?;
    Ok((file, bytes))
}

async fn visible(app: &App, staff: &Staff, reference: &str) -> Result<StoredReport, AppError> {
    reports::by_reference(&app.db, viewer(staff), reference)
        .await?
        .ok_or(AppError::NotFound)
}

fn report_view(
    r: StoredReport,
    files: Vec<StoredAttachment>,
    messages: Vec<MessageView>,
) -> ReportView {
    let attachments = files
        .into_iter()
        .map(|f| AttachmentView {
            download: format!("/api/v1/reports/{}/attachments/{}", r.reference, f.id),
            id: f.id,
            file_name: f.file_name,
            content_type: f.content_type,
            size: f.size,
            sha256: f.sha256,
        })
        .collect();
    ReportView {
        id: r.id,
        reference: r.reference,
        channel: r.channel,
        received_at: r.received_at.to_string(),
        status: r.status,
        anonymous: r.anonymous,
        reporter: ReporterView {
            name: r.reporter_name,
            organization: r.reporter_organization,
            job_title: r.reporter_job_title,
            email: r.reporter_email,
        },
        product: r.product,
        model: r.model,
        version: r.version,
        title: r.title,
        description: r.description,
        technical_details: r.technical_details,
        reproduction_steps: r.reproduction_steps,
        disclosure_plans: r.disclosure_plans,
        attachments,
        messages,
    }
}
