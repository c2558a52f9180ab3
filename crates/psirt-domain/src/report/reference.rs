//! Report and case references such as `PSIRT-2026-0001`: a year and a sequence number minted
//! atomically per year by storage.

use std::{fmt, str::FromStr};

/// The public name of a report (and of the case it opens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reference {
    year: i16,
    number: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a psirt reference (expected PSIRT-YYYY-NNNN): {0}")]
pub struct ReferenceError(String);

impl Reference {
    pub const PREFIX: &'static str = "PSIRT";

    /// Builds a reference; `number` starts at 1 each year.
    pub fn new(year: i16, number: u32) -> Result<Self, ReferenceError> {
        if !(1970..=9999).contains(&year) || number == 0 {
            return Err(ReferenceError(format!("year {year}, number {number}")));
        }
        Ok(Self { year, number })
    }

    pub fn year(&self) -> i16 {
        self.year
    }

    pub fn number(&self) -> u32 {
        self.number
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:04}", Self::PREFIX, self.year, self.number)
    }
}

impl FromStr for Reference {
    type Err = ReferenceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ReferenceError(s.chars().take(40).collect());
        let mut parts = s.split('-');
        let (Some(prefix), Some(year), Some(number), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        if !prefix.eq_ignore_ascii_case(Self::PREFIX)
            || year.len() != 4
            || number.len() < 4
            || !year
                .bytes()
                .chain(number.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let year = year.parse().map_err(|_| bad())?;
        let number = number.parse().map_err(|_| bad())?;
        Self::new(year, number).map_err(|_| bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_pads() {
        let r = Reference::new(2026, 7).unwrap();
        assert_eq!(r.to_string(), "PSIRT-2026-0007");
        assert_eq!("PSIRT-2026-0007".parse::<Reference>().unwrap(), r);
        assert_eq!(
            "PSIRT-2026-12345".parse::<Reference>().unwrap().number(),
            12345
        );
    }

    #[test]
    fn rejects_lookalikes() {
        for bad in [
            "",
            "PSIRT-2026-7",
            "PSIRT-26-0001",
            "CVE-2026-0001",
            "PSIRT-2026-0000",
            "PSIRT-2026-00a1",
            "PSIRT-2026-0001-x",
            "../etc",
        ] {
            assert!(bad.parse::<Reference>().is_err(), "{bad}");
        }
    }
}
