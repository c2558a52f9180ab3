//! Policies: severity grades and how they are derived, milestones, calendars, built-in presets
//! for the four seed policies, regulatory regimes (EU CRA Art. 14, China MIIT) and the deadline
//! engine. Pure: no I/O, time always passed in.
//!
//! # API for case handling
//!
//! ```no_run
//! # use psirt_domain::policy::{Policy, engine, regime, timeline::Timeline, StartEvent};
//! # fn demo(now: jiff::Timestamp, received: jiff::Timestamp) -> Result<(), psirt_domain::policy::PolicyError> {
//! let policy = Policy::load_preset("iec62443")?;           // or Policy::from_toml("my.toml", text)?
//! let grade = policy.grade("high");                        // None while the case is not graded
//! let regimes = regime::load_all(&[regime::RegimeId::Cra])?;
//! let mut timeline = Timeline::new();
//! timeline.record(StartEvent::Received, received);
//! for status in engine::evaluate(&policy, grade, &regimes, &timeline, now) {
//!     println!("{} due {:?}: {:?}", status.milestone.name, status.due_at, status.state);
//! }
//! # Ok(()) }
//! ```
//!
//! - [`Policy::milestones_for`] lists the milestones binding a grade (pre-grading milestones
//!   bind every grade and ungraded cases).
//! - [`regime::applicable`] decides from case facts which regimes apply.
//! - [`timeline::Extension::grant`] is the only way to extend a milestone: reason and approver
//!   are required and the original due time stays on the record.
//! - Errors: [`PolicyError`]; a refused file names `file:line:column: field: message`.

mod build;
pub mod calendar;
pub mod engine;
mod error;
mod format;
pub mod milestone;
pub mod presets;
pub mod regime;
pub mod timeline;

pub use calendar::{Calendar, DatedDay, ReleaseTrain};
pub use error::{Located, PolicyError};
pub use milestone::{
    AppliesTo, Due, Milestone, Obligation, RetentionPeriod, RetentionRule, StartEvent,
};

/// A company's vulnerability-handling policy, validated.
#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Where the rules come from (the seed document).
    pub source: String,
    /// In order, most severe first.
    pub grades: Vec<Grade>,
    pub grading: Grading,
    pub playbooks: Vec<Playbook>,
    pub milestones: Vec<Milestone>,
    pub calendar: Calendar,
    pub release_train: Option<ReleaseTrain>,
    /// Whether policy clocks stop while the team waits for the reporter's answer.
    pub pause_while_waiting_for_reporter: bool,
    /// Regimes the policy commits to for every case, whatever the case facts.
    pub regimes: Vec<regime::RegimeId>,
    pub retention: Vec<RetentionRule>,
    pub obligations: Vec<Obligation>,
}

/// One severity grade.
#[derive(Debug, Clone, PartialEq)]
pub struct Grade {
    /// The seed's name in lower case: `critical`, `high`, `medium`, `low`, `serious`, `ignored`.
    pub id: String,
    /// Position in [`Policy::grades`].
    pub index: usize,
    pub label: String,
    pub description: String,
    pub examples: Vec<String>,
    /// Reports of this grade are closed without a fix.
    pub ignored: bool,
    /// How vulnerabilities of this grade are remediated (seed 000: OTA, silent hotfix, …).
    pub remediation: String,
    /// How they are disclosed (seed 001: Security Advisory or Security Notice).
    pub disclosure: String,
}

/// How a case gets its grade.
#[derive(Debug, Clone, PartialEq)]
pub enum Grading {
    /// CVSS base score ranges (inclusive) of one CVSS version.
    Cvss {
        version: String,
        ranges: Vec<ScoreRange>,
        description: String,
    },
    /// ISO 26262 ASIL of the hazard the vulnerability can cause → grade index.
    Asil {
        qm: usize,
        a: usize,
        b: usize,
        c: usize,
        d: usize,
        description: String,
    },
    /// A category taxonomy: the team picks the category that fits.
    Category {
        categories: Vec<Category>,
        description: String,
    },
    /// A person decides, and must write down why.
    Decision { description: String },
}

/// `min..=max` of a CVSS base score → grade index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub grade: usize,
}

/// ISO 26262 automotive safety integrity levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asil {
    Qm,
    A,
    B,
    C,
    D,
}

/// One entry of a category taxonomy (seed 003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    pub grade: usize,
    pub description: String,
    pub examples: Vec<String>,
}

/// A vulnerability type with its default grade and the disposal tasks to create (seed 000 §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    pub vulnerability_type: String,
    pub grade: usize,
    pub tasks: Vec<String>,
    pub source: String,
}

impl Grading {
    /// The grade index a CVSS base score falls in, for CVSS-graded policies.
    pub fn grade_for_score(&self, score: f64) -> Option<usize> {
        match self {
            Grading::Cvss { ranges, .. } => ranges
                .iter()
                .find(|r| r.min <= score && score <= r.max)
                .map(|r| r.grade),
            _ => None,
        }
    }

    /// The grade index for an ASIL, for ASIL-graded policies.
    pub fn grade_for_asil(&self, asil: Asil) -> Option<usize> {
        match self {
            Grading::Asil { qm, a, b, c, d, .. } => Some(match asil {
                Asil::Qm => *qm,
                Asil::A => *a,
                Asil::B => *b,
                Asil::C => *c,
                Asil::D => *d,
            }),
            _ => None,
        }
    }

    /// The grade index of a taxonomy category, for category-graded policies.
    pub fn grade_for_category(&self, id: &str) -> Option<usize> {
        match self {
            Grading::Category { categories, .. } => {
                categories.iter().find(|c| c.id == id).map(|c| c.grade)
            }
            _ => None,
        }
    }
}

impl Policy {
    /// Parses and validates a policy file; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, PolicyError> {
        build::policy(file, text)
    }

    /// A built-in preset by id (`bms-asil`, `cvd-cvss`, `iec62443`, `consumer-5tier`, `default`).
    pub fn load_preset(id: &str) -> Result<Self, PolicyError> {
        let text = presets::text(id).ok_or_else(|| PolicyError::UnknownPreset(id.to_owned()))?;
        Self::from_toml(&format!("presets/{id}.toml"), text)
    }

    /// The grade with this id.
    pub fn grade(&self, id: &str) -> Option<&Grade> {
        self.grades.iter().find(|g| g.id == id)
    }

    /// The milestones binding a case of this grade (`None`: not graded yet, so only the
    /// milestones that apply to every grade).
    pub fn milestones_for<'p>(
        &'p self,
        grade: Option<&Grade>,
    ) -> impl Iterator<Item = &'p Milestone> + 'p {
        let index = grade.map(|g| g.index);
        self.milestones
            .iter()
            .filter(move |m| m.applies_to.includes(index))
    }

    /// Ids of the grades a milestone binds, for display.
    pub fn grade_ids(&self, applies_to: AppliesTo) -> Vec<&str> {
        self.grades
            .iter()
            .filter(|g| applies_to.includes(Some(g.index)))
            .map(|g| g.id.as_str())
            .collect()
    }
}
