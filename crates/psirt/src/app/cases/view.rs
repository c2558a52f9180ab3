//! Reading cases: the full case (an audited read), the filtered list, the audit trail.

use jiff::Timestamp;
use psirt_domain::case::{Permission, allowed_actions};
use serde::{Deserialize, Serialize};

use super::{
    deadlines::{self, DeadlineView},
    load::{self, Loaded},
};
use crate::{
    app::{App, AppError, Staff},
    storage::{audit, case_list, cases::VersionRow, users},
};

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GradeView {
    pub id: String,
    pub label: String,
    pub source: Option<String>,
    pub rationale: Option<String>,
    /// What the policy prescribes for this grade (seed 000: OTA, silent hotfix, …).
    pub remediation: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CvssView {
    pub vector: String,
    pub score: Option<String>,
    pub source: Option<String>,
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub assignee: Option<String>,
    pub due_at: Option<String>,
    /// `open`, `done` (evidence given) or `verified` (QA signed off).
    pub state: String,
    pub evidence: Option<String>,
    pub done_at: Option<String>,
    pub verified_at: Option<String>,
    /// Files given as evidence (downloads for staff who may see the case).
    pub evidence_files: Vec<EvidenceFile>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EvidenceFile {
    pub id: String,
    pub file_name: String,
    pub size: u64,
    pub download: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DecisionView {
    pub resolution: String,
    pub proposer: Option<String>,
    pub reason: Option<String>,
}

/// A whole case as staff read it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    pub id: String,
    pub reference: String,
    /// Send it back with every change (optimistic concurrency).
    pub version: i64,
    pub phase: String,
    pub resolution: Option<String>,
    pub resolution_reason: Option<String>,
    pub duplicate_of: Option<String>,
    pub bug_reference: Option<String>,
    pub policy: String,
    pub title: String,
    pub product: Option<String>,
    pub assignee: Option<String>,
    pub grade: Option<GradeView>,
    pub cvss_v3_1: Option<CvssView>,
    pub cvss_v4_0: Option<CvssView>,
    pub cwe: Option<String>,
    pub vulnerability_type: Option<String>,
    #[schema(value_type = Object)]
    pub triage: psirt_domain::case::TriageAnswers,
    pub waiting_for_reporter: bool,
    pub third_party: bool,
    pub markets: Markets,
    pub aware_of_exploitation_at: Option<String>,
    pub exploitation_source: Option<String>,
    pub upstream_published_at: Option<String>,
    pub pending_decision: Option<DecisionView>,
    /// Regulatory regimes that apply (`cra`, `miit`).
    pub regimes: Vec<String>,
    pub deadlines: Vec<DeadlineView>,
    pub affected_versions: Vec<VersionRow>,
    pub fixed_versions: Vec<VersionRow>,
    pub tasks: Vec<TaskView>,
    #[schema(value_type = Option<Object>)]
    pub post_mortem: Option<serde_json::Value>,
    /// Actions the reader may take now.
    pub allowed_actions: Vec<String>,
    /// References of the reports handled in this case (its own and merged duplicates).
    pub reports: Vec<String>,
    pub opened_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Markets {
    /// Placed on the EU market (CRA Art. 14 applies to actively exploited vulnerabilities).
    pub eu: bool,
    /// Placed on the Chinese market (MIIT reporting applies).
    pub cn: bool,
}

/// Reads one case (and records the read in the audit trail).
pub async fn get(app: &App, staff: &Staff, reference: &str) -> Result<CaseView, AppError> {
    let case = load::visible(app, staff, reference).await?;
    let now = app.clock.now();
    let event = audit::NewEvent {
        actor: &staff.user_id,
        action: "case.read",
        case_id: Some(&case.row.id),
        detail: serde_json::json!({}),
    };
    audit::record(&app.db, now, event).await?;
    case_view(app, staff, case, now).await
}

pub async fn case_view(
    app: &App,
    staff: &Staff,
    case: Loaded,
    now: Timestamp,
) -> Result<CaseView, AppError> {
    let email = |id: Option<String>| async move {
        match id {
            Some(id) => users::email_of(&app.db, &id).await,
            None => Ok(None),
        }
    };
    let files = crate::storage::reports::attachments(&app.db, &case.row.id).await?;
    let mut tasks = Vec::with_capacity(case.tasks.len());
    for t in &case.tasks {
        tasks.push(TaskView {
            id: t.id.clone(),
            kind: t.kind.clone(),
            title: t.title.clone(),
            assignee: email(t.assignee_id.clone()).await?,
            due_at: t.due_at.map(|d| d.to_string()),
            state: t.state.clone(),
            evidence: t.evidence.clone(),
            done_at: t.done_at.map(|d| d.to_string()),
            verified_at: t.verified_at.map(|d| d.to_string()),
            evidence_files: files
                .iter()
                .filter(|f| f.task_id.as_deref() == Some(t.id.as_str()))
                .map(|f| EvidenceFile {
                    id: f.id.clone(),
                    file_name: f.file_name.clone(),
                    size: f.size,
                    download: format!(
                        "/api/v1/reports/{}/attachments/{}",
                        case.row.reference, f.id
                    ),
                })
                .collect(),
        });
    }
    let deadlines = deadlines::evaluate(app, &case, now);
    let actions = allowed_actions(
        &case.state(),
        &staff.user_id,
        staff.role,
        case.row.released_by_id.as_deref(),
    );
    let reports = case_list::report_references(&app.db, &case.row.id).await?;
    let r = &case.row;
    let cvss = |vector: &Option<String>,
                score: &Option<String>,
                source: &Option<String>,
                rationale: &Option<String>| {
        vector.clone().map(|vector| CvssView {
            vector,
            score: score.clone(),
            source: source.clone(),
            rationale: rationale.clone(),
        })
    };
    Ok(CaseView {
        id: r.id.clone(),
        reference: r.reference.clone(),
        version: r.version,
        phase: r.phase.clone(),
        resolution: r.resolution.clone(),
        resolution_reason: r.resolution_reason.clone(),
        duplicate_of: r.duplicate_of.clone(),
        bug_reference: r.bug_reference.clone(),
        policy: r.policy_id.clone(),
        title: r.title.clone(),
        product: r.product.clone(),
        assignee: email(r.assignee_id.clone()).await?,
        grade: case.grade().map(|g| GradeView {
            id: g.id.clone(),
            label: g.label.clone(),
            source: r.grade_source.clone(),
            rationale: r.grade_rationale.clone(),
            remediation: g.remediation.clone(),
        }),
        cvss_v3_1: cvss(
            &r.cvss_v31,
            &r.cvss_v31_score,
            &r.cvss_v31_source,
            &r.cvss_v31_rationale,
        ),
        cvss_v4_0: cvss(
            &r.cvss_v40,
            &r.cvss_v40_score,
            &r.cvss_v40_source,
            &r.cvss_v40_rationale,
        ),
        cwe: r.cwe.clone(),
        vulnerability_type: r.vulnerability_type.clone(),
        triage: case.state().triage,
        waiting_for_reporter: r.waiting_for_reporter,
        third_party: r.third_party,
        markets: Markets {
            eu: r.market_eu,
            cn: r.market_cn,
        },
        aware_of_exploitation_at: case
            .anchor(psirt_domain::policy::StartEvent::AwareOfExploitation)
            .map(|t| t.to_string()),
        exploitation_source: r.exploitation_source.clone(),
        upstream_published_at: case
            .anchor(psirt_domain::policy::StartEvent::UpstreamPublished)
            .map(|t| t.to_string()),
        pending_decision: match &r.pending_resolution {
            Some(resolution) => Some(DecisionView {
                resolution: resolution.clone(),
                proposer: email(r.pending_proposer_id.clone()).await?,
                reason: r.pending_reason.clone(),
            }),
            None => None,
        },
        regimes: case
            .regimes()
            .iter()
            .map(|r| r.as_str().to_owned())
            .collect(),
        deadlines,
        affected_versions: case
            .versions
            .iter()
            .filter(|v| v.status == "affected")
            .cloned()
            .collect(),
        fixed_versions: case
            .versions
            .iter()
            .filter(|v| v.status == "fixed")
            .cloned()
            .collect(),
        tasks,
        post_mortem: r
            .post_mortem
            .as_deref()
            .and_then(|p| serde_json::from_str(p).ok()),
        allowed_actions: actions.iter().map(|a| a.as_str().to_owned()).collect(),
        reports,
        opened_at: r.opened_at.to_string(),
        updated_at: r.updated_at.to_string(),
    })
}

/// Filters of the case list (all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseFilter {
    /// Full-text search over the case text.
    pub q: Option<String>,
    pub phase: Option<String>,
    pub grade: Option<String>,
    /// Product name or catalog id.
    pub product: Option<String>,
    /// Assignee e-mail, or `me`, or `none`.
    pub assignee: Option<String>,
    /// `breached`, `at_risk`, `on_track` or `none`.
    pub deadline: Option<String>,
    /// `opened` (newest first, default) or `due` (next due first).
    pub sort: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseSummary {
    pub reference: String,
    pub title: String,
    pub phase: String,
    pub resolution: Option<String>,
    pub grade: Option<String>,
    pub product: Option<String>,
    pub assignee: Option<String>,
    pub deadline_state: String,
    pub next_due_at: Option<String>,
    pub opened_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseSummary>,
    pub total: i64,
}

pub async fn list(app: &App, staff: &Staff, filter: &CaseFilter) -> Result<CaseList, AppError> {
    let query = list_query(app, staff, filter).await?;
    let (rows, total) = case_list::list(&app.db, load::viewer(staff), &query).await?;
    // A list shows case titles: the read is audited (which cases were shown, to whom).
    let shown: Vec<&str> = rows.iter().map(|r| r.reference.as_str()).collect();
    let detail = serde_json::json!({"filter": {"q": query.q, "phase": query.phase, "grade": query.grade, "product": query.product,
        "deadline": query.deadline, "offset": query.offset}, "total": total, "shown": shown});
    let event = audit::NewEvent {
        actor: &staff.user_id,
        action: "case.list",
        case_id: None,
        detail,
    };
    audit::record(&app.db, app.clock.now(), event).await?;
    let items = rows
        .into_iter()
        .map(|r| CaseSummary {
            reference: r.reference,
            title: r.title,
            phase: r.phase,
            resolution: r.resolution,
            grade: r.grade,
            product: r.product,
            assignee: r.assignee,
            deadline_state: r.deadline_state,
            next_due_at: r.next_due_at.map(|t| t.to_string()),
            opened_at: r.opened_at.to_string(),
            updated_at: r.updated_at.to_string(),
        })
        .collect();
    Ok(CaseList { items, total })
}

/// Checks the filter values, naming the one that is wrong.
async fn list_query(
    app: &App,
    staff: &Staff,
    f: &CaseFilter,
) -> Result<case_list::Query, AppError> {
    let mut errors = psirt_domain::report::FieldErrors::default();
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let phase = text(&f.phase);
    if let Some(p) = &phase
        && p.parse::<psirt_domain::case::Phase>().is_err()
    {
        errors.push("phase", "invalid", format!("unknown phase {p:?}"));
    }
    let deadline = text(&f.deadline);
    if let Some(d) = &deadline
        && !matches!(d.as_str(), "breached" | "at_risk" | "on_track" | "none")
    {
        errors.push(
            "deadline",
            "invalid",
            "expected breached, at_risk, on_track or none",
        );
    }
    let sort_due = match f.sort.as_deref() {
        None | Some("opened") => false,
        Some("due") => true,
        Some(_) => {
            errors.push("sort", "invalid", "expected opened or due");
            false
        }
    };
    let assignee = match text(&f.assignee).as_deref() {
        None => None,
        Some("none") => Some(None),
        Some("me") => Some(Some(staff.user_id.clone())),
        Some(email) => match users::by_email(&app.db, email).await? {
            Some(u) => Some(Some(u.id)),
            None => {
                errors.push(
                    "assignee",
                    "unknown_user",
                    format!("no staff member {email:?}"),
                );
                None
            }
        },
    };
    let q = text(&f.q);
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        errors.push("q", "too_long", "search for at most 200 characters");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    Ok(case_list::Query {
        q,
        phase,
        grade: text(&f.grade),
        product: text(&f.product),
        assignee,
        deadline,
        sort_due,
        limit: f.limit.unwrap_or(50).clamp(1, 500),
        offset: f.offset.unwrap_or(0).max(0),
    })
}

/// The audit trail of one case (PSO and admin).
pub async fn audit_trail(
    app: &App,
    staff: &Staff,
    reference: &str,
) -> Result<Vec<audit::StoredEvent>, AppError> {
    let case = load::visible(app, staff, reference).await?;
    if !staff.role.may(Permission::ReadAudit) {
        return Err(AppError::Forbidden(
            "only a PSO or admin may read the audit trail",
        ));
    }
    Ok(audit::for_case(&app.db, &case.row.id).await?)
}
