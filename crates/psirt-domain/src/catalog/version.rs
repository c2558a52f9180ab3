//! Version schemes and the order they give a product's versions.
//!
//! * `semver`: Semantic Versioning 2.0.0 precedence (`1.0.0-rc.1 < 1.0.0 < 1.0.1`).
//! * `dotted`: numbers separated by dots, any depth, each compared as a number
//!   (`2.10.3 > 2.9.12`, `1.08 = 1.8` numerically), after an optional prefix of letters
//!   (`V1.08.2`, `fw 4.1`). Missing trailing parts count as zero; ties between spellings of the
//!   same number (`2.1` and `2.1.0`, `1.08` and `1.8`) are broken by the text so the order is
//!   total.
//! * `declared`: the position in a list the manufacturer declares (firmware that follows no
//!   scheme, e.g. `B07 < B08 < C01`); a version not in the list has no place.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionScheme {
    Semver,
    Dotted,
    Declared,
}

impl VersionScheme {
    pub const ALL: [VersionScheme; 3] = [
        VersionScheme::Semver,
        VersionScheme::Dotted,
        VersionScheme::Declared,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VersionScheme::Semver => "semver",
            VersionScheme::Dotted => "dotted",
            VersionScheme::Declared => "declared",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text.trim())
    }

    /// Whether `version` is well-formed under the scheme (any non-blank text for `declared`).
    pub fn check(self, version: &str) -> Result<(), VersionError> {
        match self {
            VersionScheme::Semver => semver_key(version).map(|_| ()),
            VersionScheme::Dotted => DottedKey::parse(version).map(|_| ()),
            VersionScheme::Declared if version.trim().is_empty() => Err(VersionError::Empty),
            VersionScheme::Declared => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("a version cannot be empty")]
    Empty,
    #[error("{0:?} is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.4.0 or 2.0.0-rc.1)")]
    NotSemver(String),
    #[error(
        "{0:?} is not a dotted version (numbers separated by dots after an optional prefix of letters, e.g. 2.10.3 or V1.08.2)"
    )]
    NotDotted(String),
    #[error("{0:?} is not in the product's declared version order")]
    NotDeclared(String),
}

fn semver_key(version: &str) -> Result<semver::Version, VersionError> {
    if version.trim().is_empty() {
        return Err(VersionError::Empty);
    }
    semver::Version::parse(version).map_err(|_| VersionError::NotSemver(version.to_owned()))
}

/// A dotted version's numbers, each without leading zeros, plus the text for ties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DottedKey {
    parts: Vec<String>,
    text: String,
}

impl DottedKey {
    fn parse(version: &str) -> Result<Self, VersionError> {
        if version.trim().is_empty() {
            return Err(VersionError::Empty);
        }
        let bad = || VersionError::NotDotted(version.to_owned());
        let start = version.find(|c: char| c.is_ascii_digit()).ok_or_else(bad)?;
        let (prefix, numbers) = version.split_at(start);
        if !prefix
            .chars()
            .all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '_')
        {
            return Err(bad());
        }
        let mut parts = Vec::new();
        for part in numbers.split('.') {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            parts.push(part.trim_start_matches('0').to_owned());
        }
        Ok(DottedKey {
            parts,
            text: version.to_owned(),
        })
    }
}

/// Compares two numbers written without leading zeros ("" is zero).
fn cmp_digits(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

impl Ord for DottedKey {
    fn cmp(&self, other: &Self) -> Ordering {
        let depth = self.parts.len().max(other.parts.len());
        for i in 0..depth {
            let a = self.parts.get(i).map(String::as_str).unwrap_or("");
            let b = other.parts.get(i).map(String::as_str).unwrap_or("");
            match cmp_digits(a, b) {
                Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        self.parts
            .len()
            .cmp(&other.parts.len())
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialOrd for DottedKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Where a version sorts under its product's scheme. Keys of one scheme compare with each other.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum VersionKey {
    Semver(semver::Version),
    Dotted(DottedKey),
    Declared(usize),
}

/// The order of one product's versions: its scheme, and for `declared` the list (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionOrder {
    scheme: VersionScheme,
    declared: Vec<String>,
}

impl VersionOrder {
    /// `declared` is the declared list, oldest first (ignored by the other schemes).
    pub fn new(scheme: VersionScheme, declared: Vec<String>) -> Self {
        Self { scheme, declared }
    }

    pub fn scheme(&self) -> VersionScheme {
        self.scheme
    }

    /// The declared list, oldest first (empty under the other schemes' use).
    pub fn declared(&self) -> &[String] {
        &self.declared
    }

    pub fn key(&self, version: &str) -> Result<VersionKey, VersionError> {
        match self.scheme {
            VersionScheme::Semver => semver_key(version).map(VersionKey::Semver),
            VersionScheme::Dotted => DottedKey::parse(version).map(VersionKey::Dotted),
            VersionScheme::Declared => self
                .declared
                .iter()
                .position(|d| d == version)
                .map(VersionKey::Declared)
                .ok_or_else(|| VersionError::NotDeclared(version.to_owned())),
        }
    }

    pub fn compare(&self, a: &str, b: &str) -> Result<Ordering, VersionError> {
        Ok(self.key(a)?.cmp(&self.key(b)?))
    }

    /// Sorts oldest first; items whose version has no place under the scheme go last, in
    /// text order.
    pub fn sort_by_key<T>(&self, items: &mut [T], version: impl Fn(&T) -> &str) {
        items.sort_by(|a, b| match (self.key(version(a)), self.key(version(b))) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Ok(_), Err(_)) => Ordering::Less,
            (Err(_), Ok(_)) => Ordering::Greater,
            (Err(_), Err(_)) => version(a).cmp(version(b)),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dotted() -> VersionOrder {
        VersionOrder::new(VersionScheme::Dotted, Vec::new())
    }

    #[test]
    fn dotted_compares_numbers_not_text() {
        let o = dotted();
        assert_eq!(o.compare("2.10.3", "2.9.12"), Ok(Ordering::Greater));
        assert_eq!(o.compare("V1.13.5", "V1.08.2"), Ok(Ordering::Greater));
        assert_eq!(o.compare("1.2.3.4.5.6", "1.2.3.4.5.10"), Ok(Ordering::Less));
        assert_eq!(
            o.compare("99999999999999999999999.1", "99999999999999999999998.9"),
            Ok(Ordering::Greater)
        );
        assert_eq!(o.compare("2.1", "2.1.0"), Ok(Ordering::Less));
        assert_eq!(o.compare("fw 4.2", "fw 4.10"), Ok(Ordering::Less));
        for bad in ["", "1..2", "1.2.", "1.2a", "abc", "1.2-rc1", "v1.2 beta"] {
            assert!(VersionScheme::Dotted.check(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn semver_follows_precedence() {
        let o = VersionOrder::new(VersionScheme::Semver, Vec::new());
        assert_eq!(o.compare("1.0.0-rc.1", "1.0.0"), Ok(Ordering::Less));
        assert_eq!(
            o.compare("1.0.0-alpha", "1.0.0-alpha.1"),
            Ok(Ordering::Less)
        );
        assert_eq!(o.compare("6.0.1", "5.9.0"), Ok(Ordering::Greater));
        assert!(o.compare("6.0", "5.9.0").is_err());
        assert!(VersionScheme::Semver.check("v1.2.3").is_err());
    }

    #[test]
    fn declared_follows_the_list() {
        let o = VersionOrder::new(
            VersionScheme::Declared,
            vec!["B07".into(), "B08".into(), "A01".into()],
        );
        assert_eq!(o.compare("A01", "B08"), Ok(Ordering::Greater));
        assert_eq!(
            o.compare("A01", "Z9"),
            Err(VersionError::NotDeclared("Z9".into()))
        );
        let mut v = vec!["Z9", "A01", "B07", "B08"];
        o.sort_by_key(&mut v, |s| s);
        assert_eq!(v, ["B07", "B08", "A01", "Z9"]);
    }
}
