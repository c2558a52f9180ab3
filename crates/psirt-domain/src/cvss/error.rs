//! [`CvssError`]: why a string is not a CVSS vector, naming the token that is wrong.

use super::Version;

/// Longest slice of attacker-supplied text echoed back in an error message.
const MAX_ECHO: usize = 40;

/// Why a string is not a valid CVSS vector. Every variant names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CvssError {
    /// The input is empty (or only whitespace).
    #[error("empty CVSS vector")]
    Empty,
    /// The vector starts with something other than `CVSS:` (v2.0 vectors have no prefix).
    #[error(
        "wrong prefix `{found}`: expected `CVSS:3.0/`, `CVSS:3.1/`, `CVSS:4.0/` or a bare v2.0 vector"
    )]
    WrongPrefix {
        /// The first component as found.
        found: String,
    },
    /// A v3.x or v4.0 metric appears in a vector that has no `CVSS:x.y/` prefix.
    #[error("missing `CVSS:x.y/` prefix: metric `{metric}` is not a CVSS v2.0 metric")]
    MissingPrefix {
        /// The metric that shows the vector is not v2.0.
        metric: String,
    },
    /// `CVSS:` is followed by a version psirt does not know.
    #[error(
        "unsupported CVSS version `{version}` (supported: 3.0, 3.1, 4.0, and v2.0 without prefix)"
    )]
    UnsupportedVersion {
        /// The version text after `CVSS:`.
        version: String,
    },
    /// Two slashes in a row, or a slash at the end.
    #[error("empty component at position {position} (a `//` or a trailing `/`)")]
    EmptyComponent {
        /// 1-based position of the component among the `/`-separated parts.
        position: usize,
    },
    /// A component that is not `METRIC:VALUE`.
    #[error("malformed component `{component}`: expected METRIC:VALUE")]
    MalformedComponent {
        /// The component as found.
        component: String,
    },
    /// A metric name that does not exist in this CVSS version.
    #[error("unknown metric `{metric}` for CVSS {version}")]
    UnknownMetric {
        /// The metric name as found.
        metric: String,
        /// The version the vector declared.
        version: Version,
    },
    /// The same metric appears twice.
    #[error("duplicate metric `{metric}`")]
    DuplicateMetric {
        /// The repeated metric.
        metric: &'static str,
    },
    /// A mandatory (base) metric is absent.
    #[error("missing mandatory metric `{metric}`")]
    MissingMetric {
        /// The first absent mandatory metric, in specification order.
        metric: &'static str,
    },
    /// A known metric with a value it cannot take.
    #[error("unknown value `{value}` for metric `{metric}` (allowed: {allowed})")]
    UnknownValue {
        /// The metric.
        metric: &'static str,
        /// The value as found.
        value: String,
        /// The allowed values, `/`-separated.
        allowed: String,
    },
}

/// Copies at most [`MAX_ECHO`] characters of input into an error, so a megabyte of garbage
/// does not become a megabyte of error message.
pub(super) fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_owned(),
    }
}
