//! What has happened to one case, as far as its clocks care: anchor events, pauses while waiting
//! for the reporter, approved extensions and the instants milestones were met.

use jiff::Timestamp;

use super::milestone::StartEvent;

/// The clock facts of one case. Built once per case; the engine reads it without allocating.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    anchors: [Option<Timestamp>; StartEvent::ALL.len()],
    /// Sorted by start, non-overlapping (kept so by [`Timeline::pause`]).
    pauses: Vec<Pause>,
    extensions: Vec<Extension>,
    met: Vec<(String, Timestamp)>,
}

/// An interval in which the team waited for the reporter; `until: None` means still waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pause {
    pub from: Timestamp,
    pub until: Option<Timestamp>,
}

/// An approved extension of one policy milestone. Legal (regime) deadlines cannot be extended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    milestone: String,
    original_due: Timestamp,
    new_due: Timestamp,
    reason: String,
    approver: String,
}

/// Why an extension was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionError {
    #[error("an extension needs a reason")]
    NoReason,
    #[error("an extension needs an approver")]
    NoApprover,
    #[error("the new due time {new_due} is not later than the original {original_due}")]
    NotLater {
        original_due: Timestamp,
        new_due: Timestamp,
    },
}

impl Extension {
    /// Grants an extension of `milestone` from `original_due` to `new_due`.
    pub fn grant(
        milestone: &str,
        original_due: Timestamp,
        new_due: Timestamp,
        reason: &str,
        approver: &str,
    ) -> Result<Self, ExtensionError> {
        let reason = reason.trim();
        let approver = approver.trim();
        if reason.is_empty() {
            return Err(ExtensionError::NoReason);
        }
        if approver.is_empty() {
            return Err(ExtensionError::NoApprover);
        }
        if new_due <= original_due {
            return Err(ExtensionError::NotLater {
                original_due,
                new_due,
            });
        }
        Ok(Self {
            milestone: milestone.to_owned(),
            original_due,
            new_due,
            reason: reason.to_owned(),
            approver: approver.to_owned(),
        })
    }

    pub fn milestone(&self) -> &str {
        &self.milestone
    }

    /// The due time before the extension, kept on record.
    pub fn original_due(&self) -> Timestamp {
        self.original_due
    }

    pub fn new_due(&self) -> Timestamp {
        self.new_due
    }

    pub fn reason(&self) -> &str {
        &self.reason
    }

    pub fn approver(&self) -> &str {
        &self.approver
    }
}

impl Timeline {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the instant an anchor event happened (the latest call wins).
    pub fn record(&mut self, event: StartEvent, at: Timestamp) -> &mut Self {
        if let Some(slot) = self.anchors.get_mut(event.index()) {
            *slot = Some(at);
        }
        self
    }

    /// When the event happened, if it has.
    pub fn anchor(&self, event: StartEvent) -> Option<Timestamp> {
        self.anchors.get(event.index()).copied().flatten()
    }

    /// Records a wait for the reporter; overlapping or touching waits merge.
    pub fn pause(&mut self, from: Timestamp, until: Option<Timestamp>) -> &mut Self {
        let until = until.map(|u| u.max(from));
        self.pauses.push(Pause { from, until });
        self.pauses.sort_by_key(|p| p.from);
        let mut merged: Vec<Pause> = Vec::with_capacity(self.pauses.len());
        for p in self.pauses.drain(..) {
            match merged.last_mut() {
                Some(last) if last.until.is_none_or(|u| p.from <= u) => {
                    last.until = match (last.until, p.until) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        _ => None,
                    };
                }
                _ => merged.push(p),
            }
        }
        self.pauses = merged;
        self
    }

    pub fn pauses(&self) -> &[Pause] {
        &self.pauses
    }

    pub fn extend(&mut self, extension: Extension) -> &mut Self {
        self.extensions.push(extension);
        self
    }

    /// The latest approved extension of a milestone.
    pub fn extension(&self, milestone: &str) -> Option<&Extension> {
        self.extensions
            .iter()
            .filter(|e| e.milestone == milestone)
            .max_by_key(|e| e.new_due)
    }

    /// Records when a milestone was met (the latest call wins).
    pub fn met(&mut self, milestone: &str, at: Timestamp) -> &mut Self {
        match self.met.iter_mut().find(|(id, _)| id == milestone) {
            Some((_, t)) => *t = at,
            None => self.met.push((milestone.to_owned(), at)),
        }
        self
    }

    pub fn met_at(&self, milestone: &str) -> Option<Timestamp> {
        self.met
            .iter()
            .find(|(id, _)| id == milestone)
            .map(|(_, t)| *t)
    }
}
