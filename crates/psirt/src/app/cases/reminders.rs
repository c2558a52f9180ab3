//! Deadline reminders: a periodic sweep (job `deadlines.sweep`, one per five-minute slot across
//! all instances) re-evaluates the open cases with a deadline in view, records breaches, refreshes
//! the list summary and mails the assignee and the PSOs at the policy's warning point (at risk)
//! and on breach — each reminder once. Reminders carry no case detail: the reference, the
//! milestone and a link only.

use jiff::{SignedDuration, Timestamp};
use psirt_domain::report::{EmailAddress, Role};

use super::{deadlines, load};
use crate::{
    app::{
        App, AppError,
        mail::{self, OutgoingMail},
    },
    storage::{StorageError, jobs::Job, users},
};

pub const SWEEP: &str = "deadlines.sweep";
/// Cases whose next due time is further away than this are not looked at by a sweep: their
/// summary is refreshed on every change anyway.
const HORIZON: SignedDuration = SignedDuration::from_hours(24 * 45);

/// The dedup key of the sweep of the slot `now` falls in (one sweep per slot, cluster-wide).
pub fn sweep_key(now: Timestamp) -> String {
    format!("{SWEEP}:{}", now.as_second().div_euclid(300))
}

pub async fn sweep(app: &App, _job: &Job) -> Result<(), AppError> {
    let now = app.clock.now();
    let horizon = now.saturating_add(HORIZON).unwrap_or(now);
    let psos: Vec<String> = users::emails_with_role(&app.db, Role::Pso).await?;
    for case_id in crate::storage::cases::open_due_before(&app.db, horizon).await? {
        let case = load::by_id(app, &case_id).await?;
        let views = deadlines::evaluate(app, &case, now);
        let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
        deadlines::refresh_deadline_summary(app, &mut tx, &case, now).await?;
        let assignee = match &case.row.assignee_id {
            Some(id) => users::email_of(&app.db, id).await?,
            None => None,
        };
        for d in views
            .iter()
            .filter(|d| d.state == "at_risk" || d.state == "breached")
        {
            let what = if d.state == "breached" {
                "BREACHED"
            } else {
                "at risk"
            };
            let subject = format!("[{}] Deadline {what}: {}", case.row.reference, d.name);
            let body = format!(
                "The milestone \"{}\" of case {} is {what} (due {}).\n\nOpen the case: {}/cases/{}\n",
                d.name,
                case.row.reference,
                d.due_at.as_deref().unwrap_or("-"),
                app.config.public_url(),
                case.row.reference
            );
            for recipient in assignee.iter().chain(psos.iter()) {
                let Ok(address) = EmailAddress::parse(recipient) else {
                    continue;
                };
                let key = format!(
                    "remind:{}:{}:{}:{}",
                    case.row.reference, d.milestone, d.state, address
                );
                let message = OutgoingMail {
                    idempotency_key: &key,
                    recipient: &address,
                    subject: &subject,
                    body: &body,
                    case_id: Some(&case.row.id),
                };
                mail::enqueue_in(&mut tx, now, &message).await?;
            }
        }
        tx.commit().await.map_err(StorageError::from)?;
    }
    Ok(())
}
