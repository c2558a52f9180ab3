//! Version ranges: comma-separated constraints such as `>= 1.2.0, < 1.4.1`, read under the
//! product's [`VersionOrder`]. A bare version (or `= v`) matches that version only.

use std::{cmp::Ordering, fmt};

use super::version::{VersionError, VersionOrder};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
            Op::Eq => "=",
        }
    }

    fn holds(self, ord: Ordering) -> bool {
        match self {
            Op::Ge => ord != Ordering::Less,
            Op::Gt => ord == Ordering::Greater,
            Op::Le => ord != Ordering::Greater,
            Op::Lt => ord == Ordering::Less,
            Op::Eq => ord == Ordering::Equal,
        }
    }
}

/// One constraint: `op version`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub op: Op,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("a range needs at least one constraint, e.g. \">= 1.2.0, < 1.4.1\"")]
    Empty,
    #[error("constraint {0}: give an operator (>=, >, <=, <, =) and a version")]
    Malformed(usize),
    #[error("constraint {index}: {error}")]
    Version { index: usize, error: VersionError },
}

/// Constraints that must all hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    bounds: Vec<Bound>,
}

impl VersionRange {
    /// Parses `>= 1.2.0, < 1.4.1` and checks every version under `order`.
    pub fn parse(text: &str, order: &VersionOrder) -> Result<Self, RangeError> {
        let mut bounds = Vec::new();
        for (index, part) in text.split(',').enumerate() {
            let part = part.trim();
            if part.is_empty() {
                return Err(if text.trim().is_empty() {
                    RangeError::Empty
                } else {
                    RangeError::Malformed(index + 1)
                });
            }
            let (op, rest) = [
                (">=", Op::Ge),
                ("<=", Op::Le),
                ("==", Op::Eq),
                (">", Op::Gt),
                ("<", Op::Lt),
                ("=", Op::Eq),
            ]
            .into_iter()
            .find_map(|(sym, op)| part.strip_prefix(sym).map(|rest| (op, rest)))
            .unwrap_or((Op::Eq, part));
            let version = rest.trim();
            if version.is_empty() || version.starts_with(['<', '>', '=']) {
                return Err(RangeError::Malformed(index + 1));
            }
            order.key(version).map_err(|error| RangeError::Version {
                index: index + 1,
                error,
            })?;
            bounds.push(Bound {
                op,
                version: version.to_owned(),
            });
        }
        Ok(Self { bounds })
    }

    pub fn bounds(&self) -> &[Bound] {
        &self.bounds
    }

    /// Whether `version` satisfies every constraint (an error if it has no place in `order`).
    pub fn contains(&self, order: &VersionOrder, version: &str) -> Result<bool, VersionError> {
        for b in &self.bounds {
            if !b.op.holds(order.compare(version, &b.version)?) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

impl fmt::Display for VersionRange {
    /// The canonical spelling: `>= 1.2.0, < 1.4.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.bounds.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}", b.op.as_str(), b.version)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::VersionScheme;

    #[test]
    fn ranges_read_under_the_order() {
        let o = VersionOrder::new(VersionScheme::Dotted, Vec::new());
        let r = VersionRange::parse(">=1.2.0,  < 1.4.1", &o).unwrap();
        assert_eq!(r.to_string(), ">= 1.2.0, < 1.4.1");
        assert!(r.contains(&o, "1.2.0").unwrap());
        assert!(r.contains(&o, "1.3.10").unwrap());
        assert!(!r.contains(&o, "1.4.1").unwrap());
        assert!(!r.contains(&o, "1.10.0").unwrap());
        assert_eq!(VersionRange::parse("", &o).unwrap_err(), RangeError::Empty);
        assert_eq!(
            VersionRange::parse(">= 1.2, ", &o).unwrap_err(),
            RangeError::Malformed(2)
        );
        assert!(matches!(
            VersionRange::parse(">= 1.x", &o).unwrap_err(),
            RangeError::Version { index: 1, .. }
        ));
        let d = VersionOrder::new(
            VersionScheme::Declared,
            vec!["B07".into(), "B08".into(), "A01".into()],
        );
        let r = VersionRange::parse("> B07, <= A01", &d).unwrap();
        assert!(!r.contains(&d, "B07").unwrap());
        assert!(r.contains(&d, "A01").unwrap());
        let exact = VersionRange::parse("B08", &d).unwrap();
        assert_eq!(exact.to_string(), "= B08");
    }
}
