//! Case handling use cases: reading cases (need-to-know, audited), the lifecycle actions with
//! their guards, updates of the assessment, tasks, messages, grants, and live deadlines.
//!
//! Each write is one transaction: optimistic-concurrency bump, the change, the audit event, the
//! refreshed deadline summary — then follow-up mail is queued.

mod actions;
mod deadlines;
mod load;
mod messages;
pub mod reminders;
mod tasks;
mod update;
mod view;

pub use actions::{ActionRequest, act, reporter_answered};
pub use deadlines::{DeadlineView, extend, initial_deadlines, mark_met, refresh_deadline_summary};
pub use load::{Loaded, visible};
pub use messages::{CaseMessage, MessageRequest, grant_member, messages, post_message};
pub use tasks::{TaskRequest, TaskUpdate, add_task, update_task};
pub use update::{CasePatch, CvssInput, GradeInput, PostMortem, VersionInput, update};
pub use view::{CaseFilter, CaseList, CaseSummary, CaseView, audit_trail, get, list};
