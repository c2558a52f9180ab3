//! The only place where SQLite and PostgreSQL differ.

/// Claims due jobs: `$1` = lease end, `$2` = now, `$3` = how many; the lock clause is appended.
macro_rules! claim_jobs {
    ($lock:literal) => {
        concat!(
            "UPDATE jobs SET locked_until = $1, attempts = attempts + 1 WHERE id IN (
                SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $2
                AND (locked_until IS NULL OR locked_until < $2)
                ORDER BY run_at LIMIT $3 ",
            $lock,
            ") RETURNING id, kind, dedup_key, payload, run_at, attempts, locked_until, done_at, last_error"
        )
    };
}

/// The file of a `sqlite:` URL (`sqlite:path`, `sqlite://path`, with or without `?options`);
/// `None` for an in-memory database.
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let (path, options) = rest.split_once('?').unwrap_or((rest, ""));
    let in_memory =
        path.is_empty() || path == ":memory:" || options.split('&').any(|o| o == "mode=memory");
    (!in_memory).then(|| std::path::PathBuf::from(path))
}

/// Which database a [`super::Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn from_url(url: &str) -> Option<Self> {
        if url.starts_with("sqlite:") {
            Some(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Dialect::Postgres)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }

    /// Statements run on every new connection.
    pub fn connection_setup(self) -> &'static [&'static str] {
        match self {
            // WAL lets readers run beside the writer; synchronous=FULL makes each commit
            // durable across power loss (NORMAL would only survive a process crash in WAL mode).
            // Reads through a memory map (writes still go through the WAL) share the OS page
            // cache between pooled connections instead of copying pages into each one's small
            // private cache: a third less CPU per case list page at 100,000 cases.
            Dialect::Sqlite => &[
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
                "PRAGMA mmap_size = 1073741824",
            ],
            // Plan every execution for its bind values: with a generic plan (chosen after five
            // executions of a prepared statement) the case list's filters and the viewer's
            // grants cannot steer the plan. No parallel workers: the app runs short interactive
            // queries side by side, and starting workers for one of them cost more than it saved
            // (a full-text count: 13 ms serial, 87 ms with two workers on a busy two-core host).
            // Both: docs/PERFORMANCE.md, case list.
            Dialect::Postgres => &[
                "SET synchronous_commit = on",
                "SET plan_cache_mode = force_custom_plan",
                "SET max_parallel_workers_per_gather = 0",
            ],
        }
    }

    /// Serialises schema changes between processes (PostgreSQL); SQLite's write lock suffices.
    pub fn migration_lock(self) -> Option<(&'static str, &'static str)> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some((
                "SELECT pg_advisory_lock(72657)",
                "SELECT pg_advisory_unlock(72657)",
            )),
        }
    }

    /// The statement that claims due jobs (see `storage::jobs::claim`). PostgreSQL skips rows
    /// another instance is claiming at this moment, so two instances never take the same job;
    /// SQLite has a single writer, so the plain statement is already exclusive.
    pub fn claim_jobs(self) -> &'static str {
        match self {
            Dialect::Sqlite => claim_jobs!(""),
            Dialect::Postgres => claim_jobs!("FOR UPDATE SKIP LOCKED"),
        }
    }
}
