//! The case conversation: internal notes and reporter-visible messages (the reporter sees only
//! the latter on the tracking page), and need-to-know grants on a case.

use psirt_domain::{
    case::Permission,
    report::{MessageForm, Role},
};
use serde::{Deserialize, Serialize};

use super::{deadlines::invalid, load};
use crate::{
    app::{App, AppError, Staff},
    storage::{
        StorageError, audit,
        reports::{self, MessageAuthor},
        users,
    },
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageRequest {
    pub body: Option<String>,
    /// `internal` (default) or `reporter`.
    pub visibility: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseMessage {
    pub id: String,
    pub report: String,
    /// `reporter` or `staff`.
    pub author: String,
    pub visibility: String,
    pub body: String,
    pub created_at: String,
}

/// The conversation of every report in the case, oldest first (an audited read).
pub async fn messages(
    app: &App,
    staff: &Staff,
    reference: &str,
) -> Result<Vec<CaseMessage>, AppError> {
    let case = load::visible(app, staff, reference).await?;
    let mut out = Vec::new();
    for report in crate::storage::case_list::report_references(&app.db, &case.row.id).await? {
        let all = reports::Viewer {
            user_id: "",
            sees_all: true,
        };
        let Some(r) = reports::by_reference(&app.db, all, &report).await? else {
            continue;
        };
        for m in reports::messages(&app.db, &r.id, false).await? {
            out.push(CaseMessage {
                id: m.id,
                report: report.clone(),
                author: m.author_kind,
                visibility: m.visibility,
                body: m.body,
                created_at: m.created_at.to_string(),
            });
        }
    }
    out.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    let now = app.clock.now();
    audit::record(
        &app.db,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "case.messages.read",
            case_id: Some(&case.row.id),
            detail: serde_json::json!({}),
        },
    )
    .await?;
    Ok(out)
}

/// Posts a note or a message to the reporter (on the case's own report).
pub async fn post_message(
    app: &App,
    staff: &Staff,
    reference: &str,
    req: MessageRequest,
) -> Result<CaseMessage, AppError> {
    let case = load::visible(app, staff, reference).await?;
    let visibility = match req.visibility.as_deref().unwrap_or("internal") {
        "internal" => "internal",
        "reporter" => "reporter",
        _ => return Err(invalid("visibility", "expected internal or reporter")),
    };
    let needed = if visibility == "reporter" {
        Permission::MessageReporter
    } else {
        Permission::Note
    };
    if !staff.role.may(needed) {
        return Err(AppError::Forbidden(
            "your role may not write this kind of message",
        ));
    }
    let message = MessageForm { body: req.body }.parse()?;
    let now = app.clock.now();
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    let author = MessageAuthor {
        kind: "staff",
        user_id: Some(&staff.user_id),
        visibility,
    };
    let stored = reports::add_message_in(&mut tx, &case.row.id, author, &message.body, now).await?;
    if visibility == "reporter" {
        notify_reporter(
            app,
            &mut tx,
            &case.row.id,
            &case.row.reference,
            &stored.id,
            now,
        )
        .await?;
    }
    let detail = serde_json::json!({"message": stored.id, "visibility": visibility});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "case.message",
            case_id: Some(&case.row.id),
            detail,
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    Ok(CaseMessage {
        id: stored.id,
        report: case.row.reference.clone(),
        author: stored.author_kind,
        visibility: stored.visibility,
        body: stored.body,
        created_at: stored.created_at.to_string(),
    })
}

/// Gives a staff member need-to-know on the case.
pub async fn grant_member(
    app: &App,
    staff: &Staff,
    reference: &str,
    email: &str,
) -> Result<(), AppError> {
    if !staff.role.may(Permission::Grant) {
        return Err(AppError::Forbidden(
            "only a PSO or admin may grant access to a case",
        ));
    }
    let case = load::visible(app, staff, reference).await?;
    let user = users::by_email(&app.db, email.trim())
        .await?
        .ok_or_else(|| invalid("email", "no such staff member"))?;
    if matches!(user.role, Role::Admin | Role::Pso) {
        return Ok(());
    }
    let now = app.clock.now();
    users::grant_report(&app.db, &user.id, &case.row.id, now).await?;
    let detail = serde_json::json!({"user": user.id, "email": user.email});
    audit::record(
        &app.db,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "case.grant",
            case_id: Some(&case.row.id),
            detail,
        },
    )
    .await?;
    Ok(())
}

/// Tells the reporter (if they left an address) that there is news on their tracking page. The
/// mail carries no detail of the case — only its reference — since the case is not disclosed.
pub(super) async fn notify_reporter(
    app: &App,
    tx: &mut crate::storage::case_write::Tx<'_>,
    report_id: &str,
    reference: &str,
    message_id: &str,
    now: jiff::Timestamp,
) -> Result<(), AppError> {
    let Some(email) = reports::reporter_email(&app.db, report_id).await? else {
        return Ok(());
    };
    let Ok(address) = psirt_domain::report::EmailAddress::parse(&email) else {
        return Ok(());
    };
    let key = format!("reporter:{reference}:message:{message_id}");
    let subject = format!("[{reference}] News about your vulnerability report");
    let body = format!(
        "There is a new message about your report {reference}.\n\nRead it and answer on your private tracking page \
         (the link you received with your receipt). For your protection this e-mail does not repeat its content.\n\n{}\n",
        app.config.organization.name
    );
    let mail = crate::app::mail::OutgoingMail {
        idempotency_key: &key,
        recipient: &address,
        subject: &subject,
        body: &body,
        case_id: Some(report_id),
    };
    crate::app::mail::enqueue_in(tx, now, &mail).await?;
    Ok(())
}
