//! Security Advisories and Notices: drafts from cases, two-person approval (a second PSO; any
//! edit withdraws it), publication gates with recorded overrides, embargoes, revisions.
//! Publication itself (rendering every format and the provider directory atomically) is
//! [`publish`].

pub mod directory;
mod document;
mod gates;
pub mod publish;

use jiff::Timestamp;
use psirt_domain::{
    advisory::Tlp,
    case::Permission,
    report::{FieldErrors, Reference},
};
use serde::{Deserialize, Serialize};

use super::{App, AppError, Staff, cases};
use crate::storage::{
    StorageError,
    advisories::{self, AdvisoryRow, AdvisoryText},
    audit,
};

pub use gates::{Gate, GateOverride};

/// A case covered by an advisory, with its CVE id when assigned.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseLink {
    pub reference: String,
    pub cve: Option<String>,
}

/// Create or edit an advisory (`kind` only on create).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdvisoryInput {
    /// Required on edits: the version you read.
    pub version: Option<i64>,
    /// `advisory` (default) or `notice`.
    pub kind: Option<String>,
    pub title: String,
    pub summary: String,
    pub business_impact: Option<String>,
    /// How to remediate: the fixed version and where to get it (download centre, OTA, offline).
    pub remediation: Option<String>,
    pub workarounds: Option<String>,
    /// `WHITE` (public, default), `GREEN`, `AMBER` or `RED`.
    pub tlp: Option<String>,
    /// Publish itself at this time once approved (RFC 3339).
    pub embargo_until: Option<String>,
    /// IANA time zone the embargo was agreed in (shown to people), e.g. `Europe/Berlin`.
    pub embargo_zone: Option<String>,
    #[serde(default)]
    pub cases: Vec<CaseLink>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AdvisoryView {
    pub id: String,
    pub tracking_id: String,
    pub kind: String,
    /// `draft`, `approved` or `published`.
    pub state: String,
    pub version: i64,
    pub title: String,
    pub summary: String,
    pub business_impact: Option<String>,
    pub remediation: Option<String>,
    pub workarounds: Option<String>,
    pub tlp: String,
    pub embargo_until: Option<String>,
    pub embargo_zone: Option<String>,
    pub approved: bool,
    pub revision: i64,
    pub published_at: Option<String>,
    pub cases: Vec<CaseLink>,
    /// Gates that would block publication now.
    pub blocked_by: Vec<String>,
    /// Public URLs of the published files.
    pub files: Vec<String>,
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    let mut e = FieldErrors::default();
    e.push(field, "invalid", message);
    AppError::Invalid(e)
}

fn text_of(input: &AdvisoryInput) -> Result<(AdvisoryText, String), AppError> {
    let mut errors = FieldErrors::default();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 300 || title.contains(['\n', '\r', '\0']) {
        errors.push("title", "invalid", "one line of 1 to 300 characters");
    }
    if input.summary.trim().is_empty() || input.summary.contains('\0') {
        errors.push("summary", "required", "say what the advisory is about");
    }
    let tlp = match input.tlp.as_deref() {
        None => Tlp::White,
        Some(t) => Tlp::parse(t).unwrap_or_else(|| {
            errors.push("tlp", "invalid", "expected WHITE, GREEN, AMBER or RED");
            Tlp::White
        }),
    };
    let kind = match input.kind.as_deref().unwrap_or("advisory") {
        k @ ("advisory" | "notice") => k.to_owned(),
        _ => {
            errors.push("kind", "invalid", "expected advisory or notice");
            String::new()
        }
    };
    let embargo_until = match input.embargo_until.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => t
            .parse::<Timestamp>()
            .map_err(|_| errors.push("embargo_until", "invalid_time", "expected an RFC 3339 time"))
            .ok(),
        None => None,
    };
    if let Some(zone) = input.embargo_zone.as_deref()
        && jiff::tz::TimeZone::get(zone).is_err()
    {
        errors.push(
            "embargo_zone",
            "invalid",
            format!("unknown time zone {zone:?}"),
        );
    }
    for (i, link) in input.cases.iter().enumerate() {
        if link.reference.parse::<Reference>().is_err() {
            errors.push(
                format!("cases[{i}].reference"),
                "invalid",
                "expected a case reference such as PSIRT-2026-0001",
            );
        }
        if let Some(cve) = &link.cve
            && !is_cve_id(cve)
        {
            errors.push(
                format!("cases[{i}].cve"),
                "invalid",
                "expected CVE-YYYY-NNNN (4 or more digits)",
            );
        }
    }
    if kind == "advisory" && input.cases.is_empty() {
        errors.push(
            "cases",
            "required",
            "a Security Advisory covers at least one case (a Notice may have none)",
        );
    }
    let opt = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    errors.into_result(())?;
    Ok((
        AdvisoryText {
            title: title.to_owned(),
            summary: input.summary.trim().to_owned(),
            business_impact: opt(&input.business_impact),
            remediation: opt(&input.remediation),
            workarounds: opt(&input.workarounds),
            tlp: tlp.as_str().to_owned(),
            embargo_until,
            embargo_zone: opt(&input.embargo_zone),
        },
        kind,
    ))
}

pub fn is_cve_id(s: &str) -> bool {
    let mut parts = s.split('-');
    matches!((parts.next(), parts.next(), parts.next(), parts.next()), (Some("CVE"), Some(y), Some(n), None)
        if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Resolves case references the staff member may see into `(case_id, cve)`.
async fn resolve_cases(
    app: &App,
    staff: &Staff,
    links: &[CaseLink],
) -> Result<Vec<(String, Option<String>)>, AppError> {
    let mut out = Vec::new();
    for (i, link) in links.iter().enumerate() {
        let case = cases::visible(app, staff, &link.reference)
            .await
            .map_err(|e| {
                if matches!(e, AppError::NotFound) {
                    invalid(&format!("cases[{i}].reference"), "no such case you may see")
                } else {
                    e
                }
            })?;
        out.push((case.row.id, link.cve.clone()));
    }
    Ok(out)
}

fn need(staff: &Staff, p: Permission) -> Result<(), AppError> {
    if staff.role.may(p) {
        Ok(())
    } else {
        Err(AppError::Forbidden("your role may not manage advisories"))
    }
}

pub async fn create(
    app: &App,
    staff: &Staff,
    input: AdvisoryInput,
) -> Result<AdvisoryView, AppError> {
    need(staff, Permission::Triage)?;
    let (text, kind) = text_of(&input)?;
    let links = resolve_cases(app, staff, &input.cases).await?;
    let now = app.clock.now();
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    let row = advisories::create(&mut tx, &kind, &text, &links, &staff.user_id, now).await?;
    let detail = serde_json::json!({"advisory": row.tracking_id, "cases": input.cases});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "advisory.create",
            case_id: None,
            detail,
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    view(app, staff, row).await
}

pub async fn update(
    app: &App,
    staff: &Staff,
    id: &str,
    input: AdvisoryInput,
) -> Result<AdvisoryView, AppError> {
    need(staff, Permission::Triage)?;
    let row = visible(app, staff, id).await?;
    let Some(version) = input.version else {
        return Err(invalid("version", "send the version you read"));
    };
    let (text, _) = text_of(&input)?;
    let links = resolve_cases(app, staff, &input.cases).await?;
    let now = app.clock.now();
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    advisories::update_text(&mut tx, &row.id, version, &text, now).await?;
    advisories::set_cases(&mut tx, &row.id, &links).await?;
    let detail = serde_json::json!({"advisory": row.tracking_id, "approval_withdrawn": row.approved_by_id.is_some()});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "advisory.edit",
            case_id: None,
            detail,
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    let row = visible(app, staff, id).await?;
    view(app, staff, row).await
}

/// Approval by a second PSO: never the author.
pub async fn approve(
    app: &App,
    staff: &Staff,
    id: &str,
    version: i64,
) -> Result<AdvisoryView, AppError> {
    need(staff, Permission::Decide)?;
    let row = visible(app, staff, id).await?;
    if row.state != "draft" {
        return Err(AppError::Conflict(format!(
            "only a draft can be approved (this one is {})",
            row.state
        )));
    }
    if row.created_by_id == staff.user_id {
        return Err(AppError::Conflict(
            "the author of an advisory cannot approve it: a second PSO must".into(),
        ));
    }
    let now = app.clock.now();
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    advisories::set_state(
        &mut tx,
        &row.id,
        version,
        "approved",
        Some(&staff.user_id),
        now,
    )
    .await?;
    let detail = serde_json::json!({"advisory": row.tracking_id});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "advisory.approve",
            case_id: None,
            detail,
        },
    )
    .await?;
    tx.commit().await.map_err(StorageError::from)?;
    let row = visible(app, staff, id).await?;
    view(app, staff, row).await
}

/// An advisory the staff member may see: every case it covers must be visible to them.
pub async fn visible(app: &App, staff: &Staff, id: &str) -> Result<AdvisoryRow, AppError> {
    let row = advisories::by_id(&app.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !staff.role.sees_all_reports() {
        for (case_id, _) in advisories::cases(&app.db, &row.id).await? {
            let reference = crate::storage::cases::by_id(&app.db, &case_id)
                .await?
                .map(|c| c.reference)
                .unwrap_or_default();
            cases::visible(app, staff, &reference).await?;
        }
    }
    Ok(row)
}

pub async fn get(app: &App, staff: &Staff, id: &str) -> Result<AdvisoryView, AppError> {
    let row = visible(app, staff, id).await?;
    view(app, staff, row).await
}

pub async fn list(app: &App, staff: &Staff) -> Result<Vec<AdvisoryView>, AppError> {
    let mut out = Vec::new();
    for row in advisories::list(&app.db, None).await? {
        match visible(app, staff, &row.id).await {
            Ok(row) => out.push(view(app, staff, row).await?),
            Err(AppError::NotFound) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

async fn view(app: &App, _staff: &Staff, row: AdvisoryRow) -> Result<AdvisoryView, AppError> {
    let links = advisories::cases(&app.db, &row.id).await?;
    let mut cases_out = Vec::new();
    for (case_id, cve) in &links {
        let reference = crate::storage::cases::by_id(&app.db, case_id)
            .await?
            .map(|c| c.reference)
            .unwrap_or_default();
        cases_out.push(CaseLink {
            reference,
            cve: cve.clone(),
        });
    }
    let blocked_by = gates::check(app, &row)
        .await?
        .into_iter()
        .map(|g| g.to_string())
        .collect();
    let files = advisories::paths_of(&app.db, &row.id)
        .await?
        .into_iter()
        .map(|path| format!("{}{path}", app.config.public_url()))
        .collect();
    Ok(AdvisoryView {
        approved: row.approved_by_id.is_some(),
        id: row.id,
        tracking_id: row.tracking_id,
        kind: row.kind,
        state: row.state,
        version: row.version,
        title: row.title,
        summary: row.summary,
        business_impact: row.business_impact,
        remediation: row.remediation,
        workarounds: row.workarounds,
        tlp: row.tlp,
        embargo_until: row.embargo_until.map(|t| t.to_string()),
        embargo_zone: row.embargo_zone,
        revision: row.revision,
        published_at: row.published_at.map(|t| t.to_string()),
        cases: cases_out,
        blocked_by,
        files,
    })
}
