//! The only place where SQLite and PostgreSQL differ.

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
            Dialect::Sqlite => &[
                "PRAGMA journal_mode = WAL",
                "PRAGMA synchronous = FULL",
                "PRAGMA foreign_keys = ON",
                "PRAGMA busy_timeout = 10000",
            ],
            Dialect::Postgres => &["SET synchronous_commit = on"],
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
}
