//! The public face of the active policy: what the disclosure page promises, derived from the
//! policy psirt actually runs (so the page can never drift from the deadlines).

use psirt_domain::policy::{AppliesTo, Policy, StartEvent};

use super::{App, AppError};

/// One promised response time.
#[derive(Debug, Clone)]
pub struct ResponseTime {
    pub what: String,
    pub grade: String,
    pub within: String,
    pub from: String,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub policy_name: String,
    pub response_times: Vec<ResponseTime>,
    /// `(label, description)` of each grade, most severe first.
    pub grades: Vec<(String, String)>,
}

/// Loads the configured policy: a built-in preset id, or a path to a policy TOML file.
pub fn load_policy(spec: &str) -> Result<Policy, AppError> {
    let result = if spec.ends_with(".toml") {
        let text = std::fs::read_to_string(spec).map_err(|e| {
            AppError::Unavailable(format!("organization.policy: cannot read {spec}: {e}"))
        })?;
        Policy::from_toml(spec, &text)
    } else {
        Policy::load_preset(spec)
    };
    result.map_err(|e| AppError::Unavailable(format!("organization.policy: {e}")))
}

pub fn summary(app: &App) -> Summary {
    let policy = &app.policy;
    let response_times = policy
        .milestones
        .iter()
        .map(|m| ResponseTime {
            what: m.name.clone(),
            grade: match m.applies_to {
                AppliesTo::AllGrades => "all reports".to_owned(),
                AppliesTo::Grades(_) => policy
                    .grades
                    .iter()
                    .filter(|g| m.applies_to.includes(Some(g.index)))
                    .map(|g| g.label.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            within: if m.or_next_release {
                format!("{} or the next release", m.due)
            } else {
                m.due.to_string()
            },
            from: event_words(m.start).to_owned(),
        })
        .collect();
    Summary {
        policy_name: policy.name.clone(),
        response_times,
        grades: policy
            .grades
            .iter()
            .map(|g| (g.label.clone(), g.description.clone()))
            .collect(),
    }
}

fn event_words(event: StartEvent) -> &'static str {
    match event {
        StartEvent::Received => "receipt of the report",
        StartEvent::Acknowledged => "acknowledgement",
        StartEvent::Confirmed => "confirmation of the vulnerability",
        StartEvent::UpstreamPublished => "the upstream supplier's announcement",
        StartEvent::AwareOfExploitation => "awareness of active exploitation",
        StartEvent::FixAvailable => "availability of a fix",
        StartEvent::Disclosed => "public disclosure",
    }
}
