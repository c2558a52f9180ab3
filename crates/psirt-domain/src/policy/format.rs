//! The serde model of policy and regime TOML files, exactly as written: every key is checked
//! (`deny_unknown_fields`) and values that later rules refer to keep their source span, so
//! errors can name the line. `build.rs` turns this model into a validated [`super::Policy`].

use serde::Deserialize;
use toml::Spanned;
use toml::value::Datetime;

use super::milestone::StartEvent;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyFile {
    pub policy: PolicyHeader,
    pub calendar: CalendarFile,
    pub release_train: Option<ReleaseTrainFile>,
    pub grading: Spanned<GradingFile>,
    pub grades: Vec<Spanned<GradeFile>>,
    #[serde(default)]
    pub playbooks: Vec<PlaybookFile>,
    pub milestones: Vec<Spanned<MilestoneFile>>,
    #[serde(default)]
    pub retention: Vec<Spanned<RetentionFile>>,
    #[serde(default)]
    pub obligations: Vec<ObligationFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyHeader {
    pub id: Spanned<String>,
    pub name: String,
    pub description: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub pause_while_waiting_for_reporter: bool,
    pub at_risk_fraction: Option<Spanned<f64>>,
    /// Regimes the policy itself commits to, whatever the case facts (seed 000: MIIT).
    #[serde(default)]
    pub regimes: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CalendarFile {
    pub time_zone: Spanned<String>,
    pub working_weekdays: Spanned<Vec<WeekdayName>>,
    /// A built-in holiday set to include (`cn`), before the file's own lists.
    pub public_holidays: Option<Spanned<String>>,
    #[serde(default)]
    pub holidays: Vec<Spanned<DatedDayFile>>,
    #[serde(default)]
    pub working_days: Vec<Spanned<DatedDayFile>>,
    #[serde(default)]
    pub note: String,
}

/// A built-in holiday set (`presets/holidays/*.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HolidaySetFile {
    pub name: String,
    pub holidays: Vec<Spanned<DatedDayFile>>,
    #[serde(default)]
    pub working_days: Vec<Spanned<DatedDayFile>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum WeekdayName {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DatedDayFile {
    pub date: Datetime,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReleaseTrainFile {
    pub min_interval_months: Spanned<i64>,
    pub max_interval_months: Spanned<i64>,
    #[serde(default)]
    pub scheduled: Vec<Spanned<Datetime>>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GradingFile {
    pub method: Spanned<GradingMethod>,
    #[serde(default)]
    pub description: String,
    pub cvss_version: Option<Spanned<String>>,
    #[serde(default)]
    pub ranges: Vec<Spanned<ScoreRangeFile>>,
    pub asil: Option<Spanned<AsilFile>>,
    #[serde(default)]
    pub categories: Vec<Spanned<CategoryFile>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum GradingMethod {
    Cvss,
    Asil,
    Category,
    Decision,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ScoreRangeFile {
    pub grade: Spanned<String>,
    pub min: f64,
    pub max: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct AsilFile {
    pub qm: Spanned<String>,
    pub a: Spanned<String>,
    pub b: Spanned<String>,
    pub c: Spanned<String>,
    pub d: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CategoryFile {
    pub id: Spanned<String>,
    pub grade: Spanned<String>,
    pub description: String,
    #[serde(default)]
    pub examples: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GradeFile {
    pub id: Spanned<String>,
    pub label: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub examples: Vec<String>,
    #[serde(default)]
    pub ignored: bool,
    #[serde(default)]
    pub remediation: String,
    #[serde(default)]
    pub disclosure: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PlaybookFile {
    pub vulnerability_type: String,
    pub grade: Spanned<String>,
    pub tasks: Spanned<Vec<String>>,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MilestoneFile {
    pub id: Spanned<String>,
    pub name: String,
    pub start: StartEvent,
    pub third_party_start: Option<Spanned<StartEvent>>,
    /// The case event that meets the milestone; without it, staff record it met by hand.
    pub met_by: Option<StartEvent>,
    pub hours: Option<Spanned<i64>>,
    pub calendar_days: Option<Spanned<i64>>,
    pub working_days: Option<Spanned<i64>>,
    pub next_release: Option<Spanned<bool>>,
    #[serde(default)]
    pub or_next_release: bool,
    pub grades: Option<Spanned<Vec<Spanned<String>>>>,
    pub at_risk_fraction: Option<Spanned<f64>>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RetentionFile {
    pub id: String,
    pub what: String,
    pub min_days: Option<Spanned<i64>>,
    pub min_months: Option<Spanned<i64>>,
    #[serde(default)]
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ObligationFile {
    pub id: String,
    pub text: String,
    pub after: Option<StartEvent>,
    #[serde(default)]
    pub source: String,
}

/// A regulatory regime file (`presets/regimes/*.toml`): milestones and retention rules only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegimeFile {
    pub regime: RegimeHeader,
    pub milestones: Vec<Spanned<MilestoneFile>>,
    #[serde(default)]
    pub retention: Vec<Spanned<RetentionFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegimeHeader {
    pub id: Spanned<String>,
    pub name: String,
    pub applies_when: String,
    pub time_zone: Spanned<String>,
    #[serde(default)]
    pub source: String,
}
