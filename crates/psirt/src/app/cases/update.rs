//! `PATCH /api/v1/cases/{reference}`: the assessment (grade, CVSS, CWE, type, triage answers),
//! facts that decide regimes (markets, exploitation, third party), versions, assignee and the
//! post-mortem. A grade change recomputes deadlines; every change is audited with before/after.

use jiff::Timestamp;
use psirt_domain::{
    case::{Permission, Phase, TriageAnswers},
    cvss::{CvssVector, Version},
    policy::StartEvent,
    report::FieldErrors,
};
use serde::{Deserialize, Serialize};

use super::{
    deadlines::commit_and_refresh,
    load,
    view::{self, CaseView, Markets},
};
use crate::{
    app::{App, AppError, Staff, catalog::resolve},
    storage::{
        StorageError, audit,
        case_write::{self, Column, Flag},
        users,
    },
};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeInput {
    /// A grade id of the case's policy (e.g. `critical`).
    pub id: String,
    /// How it was derived: `cvss`, `asil`, `category`, `decision` or free text.
    pub source: Option<String>,
    /// Why (required).
    pub rationale: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CvssInput {
    pub vector: String,
    /// Who scored it: `psirt`, `reporter`, `supplier`, `nvd`, …
    pub source: Option<String>,
    pub rationale: Option<String>,
}

/// An affected or fixed entry: one version, or a range read under the product's version order
/// (`>= 1.2.0, < 1.4.1`; operators `>=`, `>`, `<=`, `<`, `=`). A product of the catalog must
/// have the version there, and a range must hold at least one of its versions; ranges need a
/// catalog product.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    pub product: String,
    /// A version (`3.1.4`) or a range (`>= 3.0.0, < 3.2.0`).
    pub version: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostMortem {
    pub root_cause: String,
    pub cwe: Option<String>,
    /// What changes in coding standards.
    pub coding_standards: String,
    /// What changes in test cases.
    pub test_cases: String,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Exploitation {
    /// When the team became aware of active exploitation (RFC 3339): starts the CRA clocks.
    pub aware_at: Option<String>,
    pub source: Option<String>,
}

/// Every field optional but `version`; only the fields present change.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    pub version: i64,
    pub title: Option<String>,
    pub grade: Option<GradeInput>,
    pub cvss_v3_1: Option<CvssInput>,
    pub cvss_v4_0: Option<CvssInput>,
    pub cwe: Option<String>,
    pub vulnerability_type: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub triage: Option<TriageAnswers>,
    pub markets: Option<Markets>,
    pub third_party: Option<bool>,
    pub upstream_published_at: Option<String>,
    pub exploitation: Option<Exploitation>,
    /// E-mail of the staff member, or an empty string to unassign.
    pub assignee: Option<String>,
    pub affected_versions: Option<Vec<VersionInput>>,
    pub fixed_versions: Option<Vec<VersionInput>>,
    pub post_mortem: Option<PostMortem>,
}

fn time(field: &str, value: &str, errors: &mut FieldErrors) -> Option<Timestamp> {
    value
        .parse::<Timestamp>()
        .map_err(|_| errors.push(field, "invalid_time", "expected an RFC 3339 time"))
        .ok()
}

fn cvss(
    field: &str,
    input: &CvssInput,
    want: Version,
    errors: &mut FieldErrors,
) -> Option<(String, String)> {
    match CvssVector::parse(input.vector.trim()) {
        Ok(v) if v.version() == want => Some((v.as_str().to_owned(), v.base_score().to_string())),
        Ok(v) => {
            errors.push(
                format!("{field}.vector"),
                "wrong_version",
                format!("expected a CVSS {want:?} vector, got {:?}", v.version()),
            );
            None
        }
        Err(e) => {
            errors.push(format!("{field}.vector"), "invalid_cvss", e.to_string());
            None
        }
    }
}

pub async fn update(
    app: &App,
    staff: &Staff,
    reference: &str,
    patch: CasePatch,
) -> Result<CaseView, AppError> {
    let case = load::visible(app, staff, reference).await?;
    let now = app.clock.now();
    let assessing = patch.title.is_some()
        || patch.grade.is_some()
        || patch.cvss_v3_1.is_some()
        || patch.cvss_v4_0.is_some()
        || patch.cwe.is_some()
        || patch.vulnerability_type.is_some()
        || patch.triage.is_some()
        || patch.markets.is_some()
        || patch.third_party.is_some()
        || patch.upstream_published_at.is_some()
        || patch.exploitation.is_some()
        || patch.affected_versions.is_some()
        || patch.fixed_versions.is_some()
        || patch.post_mortem.is_some();
    if assessing && !staff.role.may(Permission::Triage) {
        return Err(AppError::Forbidden(
            "only a PSO or admin may change the assessment of a case",
        ));
    }
    if patch.assignee.is_some() && !staff.role.may(Permission::Coordinate) {
        return Err(AppError::Forbidden("your role may not assign cases"));
    }
    if case.phase() == Phase::Closed
        && (assessing || patch.assignee.is_some())
        && patch.post_mortem.is_none()
    {
        return Err(AppError::Conflict("the case is closed".into()));
    }

    let mut errors = FieldErrors::default();
    if let Some(g) = &patch.grade {
        if case.policy.grade(&g.id).is_none() {
            let ids: Vec<&str> = case.policy.grades.iter().map(|g| g.id.as_str()).collect();
            errors.push(
                "grade.id",
                "unknown_grade",
                format!(
                    "the policy {} has grades {}",
                    case.policy.id,
                    ids.join(", ")
                ),
            );
        }
        if g.rationale.trim().is_empty() {
            errors.push("grade.rationale", "required", "say why this grade");
        }
    }
    let v31 = patch
        .cvss_v3_1
        .as_ref()
        .and_then(|c| cvss("cvss_v3_1", c, Version::V3_1, &mut errors));
    let v40 = patch
        .cvss_v4_0
        .as_ref()
        .and_then(|c| cvss("cvss_v4_0", c, Version::V4_0, &mut errors));
    let upstream = patch
        .upstream_published_at
        .as_deref()
        .filter(|t| !t.is_empty())
        .and_then(|t| time("upstream_published_at", t, &mut errors));
    let aware = patch
        .exploitation
        .as_ref()
        .and_then(|e| e.aware_at.as_deref())
        .filter(|t| !t.is_empty())
        .and_then(|t| time("exploitation.aware_at", t, &mut errors));
    if aware.is_some_and(|t| t > now) {
        errors.push(
            "exploitation.aware_at",
            "in_future",
            "awareness cannot be in the future",
        );
    }
    let assignee = match patch.assignee.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
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
    if let Some(pm) = &patch.post_mortem
        && (pm.root_cause.trim().is_empty()
            || pm.coding_standards.trim().is_empty()
            || pm.test_cases.trim().is_empty())
    {
        errors.push(
            "post_mortem",
            "incomplete",
            "give the root cause and what changes in coding standards and test cases",
        );
    }
    if patch.post_mortem.is_some() && case.phase() < Phase::PostRelease {
        errors.push(
            "post_mortem",
            "too_early",
            "the post-mortem is recorded after disclosure (post_release)",
        );
    }
    let mut catalog = resolve::Products::default();
    // Per status: `(product, version or range, is a range)`.
    type Entries = Vec<(String, String, bool)>;
    let mut versions: Vec<(&str, Entries)> = Vec::new();
    {
        let mut conn = app.db.pool().acquire().await.map_err(StorageError::from)?;
        for (field, status, list) in [
            ("affected_versions", "affected", &patch.affected_versions),
            ("fixed_versions", "fixed", &patch.fixed_versions),
        ] {
            let Some(list) = list else { continue };
            let mut checked = Vec::new();
            for (i, v) in list.iter().enumerate() {
                let product = v.product.trim();
                if product.is_empty()
                    || v.version.trim().is_empty()
                    || v.product.len() > 300
                    || v.version.len() > 300
                {
                    errors.push(
                        format!("{field}[{i}]"),
                        "invalid",
                        "product and version are required (at most 300 characters)",
                    );
                    continue;
                }
                let known = catalog.get(&mut conn, product).await?;
                if let Some((text, range)) = resolve::check_entry(
                    known,
                    product,
                    &v.version,
                    &format!("{field}[{i}].version"),
                    &mut errors,
                ) {
                    checked.push((product.to_owned(), text, range));
                }
            }
            versions.push((status, checked));
        }
    }
    if let Some(t) = &patch.title
        && (t.trim().is_empty() || t.chars().count() > 300 || t.contains(['\n', '\r', '\0']))
    {
        errors.push("title", "invalid", "one line of 1 to 300 characters");
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }

    let id = case.row.id.as_str();
    let before = serde_json::json!({"grade": case.row.grade, "cvss_v3_1": case.row.cvss_v31, "cvss_v4_0": case.row.cvss_v40,
        "assignee_id": case.row.assignee_id, "markets": {"eu": case.row.market_eu, "cn": case.row.market_cn}, "version": case.row.version});
    let mut tx = app.db.pool().begin().await.map_err(StorageError::from)?;
    case_write::bump(&mut tx, id, patch.version, now).await?;
    if let Some(t) = &patch.title {
        case_write::set(&mut tx, id, Column::Title, Some(t.trim())).await?;
    }
    if let Some(g) = &patch.grade {
        case_write::set(&mut tx, id, Column::Grade, Some(&g.id)).await?;
        case_write::set(&mut tx, id, Column::GradeSource, g.source.as_deref()).await?;
        case_write::set(
            &mut tx,
            id,
            Column::GradeRationale,
            Some(g.rationale.trim()),
        )
        .await?;
    }
    for (value, input, cols) in [
        (
            &v31,
            &patch.cvss_v3_1,
            [
                Column::CvssV31,
                Column::CvssV31Score,
                Column::CvssV31Source,
                Column::CvssV31Rationale,
            ],
        ),
        (
            &v40,
            &patch.cvss_v4_0,
            [
                Column::CvssV40,
                Column::CvssV40Score,
                Column::CvssV40Source,
                Column::CvssV40Rationale,
            ],
        ),
    ] {
        if let (Some((vector, score)), Some(input)) = (value, input) {
            let [v, s, src, why] = cols;
            case_write::set(&mut tx, id, v, Some(vector)).await?;
            case_write::set(&mut tx, id, s, Some(score)).await?;
            case_write::set(&mut tx, id, src, input.source.as_deref()).await?;
            case_write::set(&mut tx, id, why, input.rationale.as_deref()).await?;
        }
    }
    if let Some(cwe) = &patch.cwe {
        case_write::set(
            &mut tx,
            id,
            Column::Cwe,
            Some(cwe.trim()).filter(|c| !c.is_empty()),
        )
        .await?;
    }
    if let Some(vt) = &patch.vulnerability_type {
        case_write::set(
            &mut tx,
            id,
            Column::VulnerabilityType,
            Some(vt.trim()).filter(|c| !c.is_empty()),
        )
        .await?;
    }
    if let Some(t) = &patch.triage {
        case_write::set_flag(
            &mut tx,
            id,
            Flag::TriageSupported,
            t.applies_to_supported_product,
        )
        .await?;
        case_write::set_flag(&mut tx, id, Flag::TriageReproducible, t.reproducible).await?;
        case_write::set_flag(&mut tx, id, Flag::TriageExploitable, t.exploitable).await?;
    }
    if let Some(m) = &patch.markets {
        case_write::set_flag(&mut tx, id, Flag::MarketEu, Some(m.eu)).await?;
        case_write::set_flag(&mut tx, id, Flag::MarketCn, Some(m.cn)).await?;
    }
    if let Some(tp) = patch.third_party {
        case_write::set_flag(&mut tx, id, Flag::ThirdParty, Some(tp)).await?;
    }
    if patch.upstream_published_at.is_some() {
        case_write::set_anchor(
            &mut tx,
            id,
            StartEvent::UpstreamPublished.as_str(),
            upstream,
        )
        .await?;
    }
    if let Some(e) = &patch.exploitation {
        case_write::set_anchor(&mut tx, id, StartEvent::AwareOfExploitation.as_str(), aware)
            .await?;
        case_write::set(&mut tx, id, Column::ExploitationSource, e.source.as_deref()).await?;
    }
    if let Some(assignee) = &assignee {
        case_write::set(&mut tx, id, Column::AssigneeId, assignee.as_deref()).await?;
    }
    for (status, entries) in &versions {
        case_write::replace_versions(&mut tx, id, status, entries).await?;
    }
    if let Some(pm) = &patch.post_mortem {
        let json = serde_json::to_string(pm).map_err(|e| AppError::Unavailable(e.to_string()))?;
        case_write::set(&mut tx, id, Column::PostMortem, Some(&json)).await?;
        if let Some(cwe) = pm.cwe.as_deref().filter(|c| !c.trim().is_empty()) {
            case_write::set(&mut tx, id, Column::Cwe, Some(cwe.trim())).await?;
        }
    }
    let after = serde_json::json!({"grade": patch.grade, "cvss_v3_1": v31.map(|v| v.0), "cvss_v4_0": v40.map(|v| v.0),
        "assignee": patch.assignee, "markets": patch.markets, "exploitation": patch.exploitation, "triage": patch.triage,
        "affected_versions": patch.affected_versions, "fixed_versions": patch.fixed_versions, "post_mortem": patch.post_mortem});
    let detail = serde_json::json!({"before": before, "after": after});
    audit::append(
        &mut tx,
        now,
        audit::NewEvent {
            actor: &staff.user_id,
            action: "case.update",
            case_id: Some(id),
            detail,
        },
    )
    .await?;
    let after = commit_and_refresh(app, tx, id, now).await?;
    view::case_view(app, staff, after, now).await
}
