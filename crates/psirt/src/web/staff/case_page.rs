//! `/cases/{reference}`: the report as received (plain text), attachments as downloads, the
//! conversation and audit trail, triage, the CVSS calculator (a plain form), grade, deadlines
//! with countdowns, tasks, allowed actions, members and possible duplicates.

use askama::Template;
use askama_web::WebTemplate;
use axum::{
    extract::{Path, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};

use super::{Layout, format, markdown};
use crate::{
    app::{
        AppError,
        cases::{self, CaseFilter, CaseSummary, CaseView},
        staff::{self, ReportView},
    },
    web::{
        AppState,
        api::content_disposition,
        pages::app_error_page,
        security::DOWNLOAD_CSP,
        session::{Draft, SignedIn},
    },
};

pub struct Message {
    pub author: String,
    pub visibility: String,
    pub at: String,
    /// Staff Markdown, rendered and sanitised; reporter text stays plain.
    pub html: Option<String>,
    pub text: String,
}

pub struct Deadline {
    pub name: String,
    pub state: String,
    pub due: String,
    pub left: String,
    pub met: String,
}

/// One metric of the calculator: its key, label, choices (value, name) and current value.
pub struct Metric {
    pub key: &'static str,
    pub label: &'static str,
    pub choices: &'static [(&'static str, &'static str)],
    pub current: String,
}

/// A calculator's metrics: key, label and choices (value, name), in vector order.
pub type MetricTable = &'static [(
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
)];

const NLP: &[(&str, &str)] = &[
    ("N", "Network"),
    ("A", "Adjacent"),
    ("L", "Local"),
    ("P", "Physical"),
];
const LH: &[(&str, &str)] = &[("L", "Low"), ("H", "High")];
const NLH: &[(&str, &str)] = &[("N", "None"), ("L", "Low"), ("H", "High")];
const HLN: &[(&str, &str)] = &[("H", "High"), ("L", "Low"), ("N", "None")];

pub const V31: MetricTable = &[
    ("AV", "Attack vector", NLP),
    ("AC", "Attack complexity", LH),
    ("PR", "Privileges required", NLH),
    (
        "UI",
        "User interaction",
        &[("N", "None"), ("R", "Required")],
    ),
    ("S", "Scope", &[("U", "Unchanged"), ("C", "Changed")]),
    ("C", "Confidentiality", HLN),
    ("I", "Integrity", HLN),
    ("A", "Availability", HLN),
];

pub const V40: MetricTable = &[
    ("AV", "Attack vector", NLP),
    ("AC", "Attack complexity", LH),
    (
        "AT",
        "Attack requirements",
        &[("N", "None"), ("P", "Present")],
    ),
    ("PR", "Privileges required", NLH),
    (
        "UI",
        "User interaction",
        &[("N", "None"), ("P", "Passive"), ("A", "Active")],
    ),
    ("VC", "Vulnerable system confidentiality", HLN),
    ("VI", "Vulnerable system integrity", HLN),
    ("VA", "Vulnerable system availability", HLN),
    ("SC", "Subsequent system confidentiality", HLN),
    ("SI", "Subsequent system integrity", HLN),
    ("SA", "Subsequent system availability", HLN),
];

fn metrics(table: MetricTable, vector: Option<&str>) -> Vec<Metric> {
    table
        .iter()
        .map(|(key, label, choices)| Metric {
            key,
            label,
            choices,
            current: vector
                .and_then(|v| {
                    v.split('/')
                        .find_map(|part| part.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
                })
                .unwrap_or_default()
                .to_owned(),
        })
        .collect()
}

/// One calculator form (v3.1 or v4.0) with the case's current vector and score.
pub struct Calculator {
    pub label: &'static str,
    pub version: &'static str,
    pub metrics: Vec<Metric>,
    pub vector: Option<String>,
    pub score: Option<String>,
    /// The saved rationale, so saving again does not erase it.
    pub rationale: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "staff/case.html")]
struct Page {
    layout: Layout,
    case: CaseView,
    report: Option<ReportView>,
    messages: Vec<Message>,
    audit: Vec<(String, String, String)>,
    deadlines: Vec<Deadline>,
    calculators: Vec<Calculator>,
    task_kinds: Vec<&'static str>,
    grades: Vec<(String, String)>,
    duplicates: Vec<CaseSummary>,
    draft: Draft,
    triage: [(&'static str, &'static str, Option<bool>); 3],
    /// Allowed actions with their button labels.
    actions: Vec<(String, String)>,
}

pub async fn page(
    State(state): State<AppState>,
    s: SignedIn,
    Path(reference): Path<String>,
) -> Response {
    match load(&state, &s, &reference).await {
        Ok(page) => page.into_response(),
        Err(e) => app_error_page(e),
    }
}

async fn load(state: &AppState, s: &SignedIn, reference: &str) -> Result<Page, AppError> {
    let app = &state.app;
    let staff = &s.session.staff;
    let tz = &s.session.time_zone;
    let case = cases::get(app, staff, reference).await?;
    let report = staff::get(app, staff, reference).await.ok();
    let messages = cases::messages(app, staff, reference)
        .await?
        .into_iter()
        .map(|m| Message {
            html: (m.author == "staff").then(|| markdown::render(&m.body)),
            at: format::local(&m.created_at, tz),
            author: m.author,
            visibility: m.visibility,
            text: m.body,
        })
        .collect();
    let audit = match cases::audit_trail(app, staff, reference).await {
        Ok(events) => events
            .into_iter()
            .map(|e| (format::local(&e.at.to_string(), tz), e.action, e.actor))
            .collect(),
        Err(AppError::Forbidden(_)) => Vec::new(),
        Err(e) => return Err(e),
    };
    let now = app.clock.now();
    let deadlines = case
        .deadlines
        .iter()
        .map(|d| Deadline {
            name: d.name.clone(),
            state: d.state.clone(),
            due: format::local_opt(d.due_at.as_deref(), tz),
            left: if matches!(d.state.as_str(), "pending" | "at_risk" | "breached") {
                format::time_left(d.due_at.as_deref(), now)
            } else {
                String::new()
            },
            met: format::local_opt(d.met_at.as_deref(), tz),
        })
        .collect();
    let word = case
        .title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .max_by_key(|w| w.len())
        .unwrap_or_default()
        .to_owned();
    let duplicates = if word.is_empty() {
        Vec::new()
    } else {
        let f = CaseFilter {
            q: Some(word),
            limit: Some(6),
            ..CaseFilter::default()
        };
        cases::list(app, staff, &f)
            .await
            .map(|l| l.items)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.reference != case.reference)
            .take(5)
            .collect()
    };
    let policy = app.policy_by_id(&case.policy)?;
    let t = &case.triage;
    Ok(Page {
        layout: Layout::of(state, s, "cases"),
        calculators: [
            ("CVSS v3.1", "3.1", V31, &case.cvss_v3_1),
            ("CVSS v4.0", "4.0", V40, &case.cvss_v4_0),
        ]
        .into_iter()
        .map(|(label, version, table, current)| Calculator {
            label,
            version,
            metrics: metrics(table, current.as_ref().map(|c| c.vector.as_str())),
            vector: current.as_ref().map(|c| c.vector.clone()),
            score: current.as_ref().and_then(|c| c.score.clone()),
            rationale: current
                .as_ref()
                .and_then(|c| c.rationale.clone())
                .unwrap_or_default(),
        })
        .collect(),
        task_kinds: vec![
            "other",
            "fix",
            "regression_test",
            "penetration_test",
            "qa_verification",
            "disposal",
        ],
        grades: policy
            .grades
            .iter()
            .map(|g| (g.id.clone(), g.label.clone()))
            .collect(),
        triage: [
            (
                "applies_to_supported_product",
                "Does it apply to a supported product?",
                t.applies_to_supported_product,
            ),
            (
                "reproducible",
                "Can it be reproduced and verified?",
                t.reproducible,
            ),
            (
                "exploitable",
                "Is it an exploitable security risk?",
                t.exploitable,
            ),
        ],
        actions: case
            .allowed_actions
            .iter()
            .map(|a| (a.clone(), a.replace('_', " ")))
            .collect(),
        case,
        report,
        messages,
        audit,
        deadlines,
        duplicates,
        draft: s.draft.clone().unwrap_or_default(),
    })
}

/// An attachment, for staff who may see the case: a download that cannot run in the browser.
pub async fn download(
    State(state): State<AppState>,
    s: SignedIn,
    Path((_case, report, id)): Path<(String, String, String)>,
) -> Response {
    match staff::attachment(&state.app, &s.session.staff, &report, &id).await {
        Ok((file, bytes)) => {
            let mut response = bytes.into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DOWNLOAD_CSP),
            );
            if let Ok(v) = HeaderValue::from_str(&content_disposition(&file.file_name)) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(e) => app_error_page(e),
    }
}
