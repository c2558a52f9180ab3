//! Who may do what: the documented permission set of each role (seed 002's PSIRT).
//!
//! | role | permissions |
//! |---|---|
//! | admin | everything, including staff accounts, grants and the product catalog |
//! | pso | sees every case; triage, grading, decisions, approvals, release and disclosure, grants, reporter messages |
//! | rd | granted cases; work on tasks (fix, tests), internal notes |
//! | qa | granted cases; work on tasks and verify fixes, internal notes |
//! | pm | granted cases; coordinate (assign, tasks, members), reporter messages, internal notes; the product catalog |
//! | support | granted cases; reporter messages, internal notes |

use crate::report::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See every case without a grant.
    SeeAll,
    /// Acknowledge, triage, grade, score, confirm, close without a fix (propose).
    Triage,
    /// Approve or reject another person's decision (two-person rule), approve disclosure.
    Decide,
    /// Move a case into release and disclosure.
    Disclose,
    /// Assign people, manage tasks and members.
    Coordinate,
    /// Work on tasks: record evidence, mark done.
    WorkTasks,
    /// Verify a fix (QA sign-off).
    Verify,
    /// Write reporter-visible messages.
    MessageReporter,
    /// Write internal notes.
    Note,
    /// Grant need-to-know to others.
    Grant,
    /// Manage staff accounts and API tokens.
    ManageStaff,
    /// Read the audit trail.
    ReadAudit,
    /// Create, change, delete and import products, models and versions (every staff member
    /// reads the catalog).
    ManageCatalog,
}

pub fn permissions(role: Role) -> &'static [Permission] {
    use Permission::*;
    match role {
        Role::Admin => &[
            SeeAll,
            Triage,
            Decide,
            Disclose,
            Coordinate,
            WorkTasks,
            Verify,
            MessageReporter,
            Note,
            Grant,
            ManageStaff,
            ReadAudit,
            ManageCatalog,
        ],
        Role::Pso => &[
            SeeAll,
            Triage,
            Decide,
            Disclose,
            Coordinate,
            WorkTasks,
            MessageReporter,
            Note,
            Grant,
            ReadAudit,
        ],
        Role::Rd => &[WorkTasks, Note],
        Role::Qa => &[WorkTasks, Verify, Note],
        Role::Pm => &[Coordinate, WorkTasks, MessageReporter, Note, ManageCatalog],
        Role::Support => &[MessageReporter, Note],
    }
}

impl Role {
    pub fn may(self, permission: Permission) -> bool {
        permissions(self).contains(&permission)
    }
}
