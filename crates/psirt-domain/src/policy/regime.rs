//! Regulatory regimes applied on top of any policy when a case meets their condition: EU CRA
//! Article 14 (actively exploited vulnerability, product on the EU market) and China MIIT
//! (product on the Chinese market). Their milestones are law: they never pause and are never
//! extended.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use super::build;
use super::calendar::Calendar;
use super::error::Locator;
use super::format::RegimeFile;
use super::milestone::{Milestone, RetentionRule};
use super::{Policy, PolicyError};

/// The built-in regimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RegimeId {
    Cra,
    Miit,
}

impl RegimeId {
    pub const ALL: [RegimeId; 2] = [RegimeId::Cra, RegimeId::Miit];

    pub fn as_str(self) -> &'static str {
        match self {
            RegimeId::Cra => "cra",
            RegimeId::Miit => "miit",
        }
    }

    fn text(self) -> &'static str {
        match self {
            RegimeId::Cra => include_str!("presets/regimes/cra.toml"),
            RegimeId::Miit => include_str!("presets/regimes/miit.toml"),
        }
    }
}

impl fmt::Display for RegimeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegimeId {
    type Err = PolicyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegimeId::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| PolicyError::UnknownRegime(s.to_owned()))
    }
}

/// A loaded regime.
#[derive(Debug, Clone)]
pub struct Regime {
    pub id: RegimeId,
    pub name: String,
    /// The condition, in words.
    pub applies_when: String,
    pub source: String,
    /// Only the zone matters: legal periods here are hours and calendar days.
    pub calendar: Calendar,
    pub milestones: Vec<Milestone>,
    pub retention: Vec<RetentionRule>,
}

/// Loads one built-in regime.
pub fn load(id: RegimeId) -> Result<Regime, PolicyError> {
    let file = format!("presets/regimes/{id}.toml");
    let text = id.text();
    let at = Locator { file: &file, text };
    let raw: RegimeFile = toml::from_str(text).map_err(|e| at.toml(&e))?;
    if raw.regime.id.get_ref() != id.as_str() {
        return Err(at.at(
            raw.regime.id.span(),
            None,
            format!("expected regime id `{id}`"),
        ));
    }
    let zone = &raw.regime.time_zone;
    let calendar = Calendar::new(
        zone.get_ref(),
        &[jiff::civil::Weekday::Monday],
        Vec::new(),
        Vec::new(),
    )
    .map_err(|e| at.at(zone.span(), None, e.to_string()))?;
    // Legal deadlines are not softened by "at risk" tuning: warn at three quarters.
    let milestones = build::milestones(&at, &raw.milestones, None, 0.75)?;
    Ok(Regime {
        id,
        name: raw.regime.name,
        applies_when: raw.regime.applies_when,
        source: raw.regime.source,
        calendar,
        milestones,
        retention: build::retention(&at, &raw.retention)?,
    })
}

/// Loads several regimes, in the given order, without repeats.
pub fn load_all(ids: &[RegimeId]) -> Result<Vec<Regime>, PolicyError> {
    let mut seen: Vec<RegimeId> = Vec::with_capacity(ids.len());
    for id in ids {
        if !seen.contains(id) {
            seen.push(*id);
        }
    }
    seen.into_iter().map(load).collect()
}

/// The case facts that decide which regimes apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// A product version concerned is placed on the EU market.
    pub on_eu_market: bool,
    /// A product version concerned is sold or operated in mainland China.
    pub on_chinese_market: bool,
    /// When the manufacturer became aware the vulnerability is actively exploited.
    pub aware_of_exploitation: Option<Timestamp>,
}

/// CRA Art. 14 reporting obligations apply from 11 September 2026 (Art. 71(2)); midnight
/// Brussels time (CEST, UTC+2) on that day.
fn cra_reporting_applies_from() -> Timestamp {
    Timestamp::constant(1_789_077_600, 0)
}

/// Which regimes apply to a case: those the policy always applies, plus MIIT for products on
/// the Chinese market and CRA when a product on the EU market is actively exploited and the
/// manufacturer became aware of it on or after the CRA reporting start date.
pub fn applicable(policy: &Policy, facts: &CaseFacts) -> Vec<RegimeId> {
    let cra = facts.on_eu_market
        && facts
            .aware_of_exploitation
            .is_some_and(|t| t >= cra_reporting_applies_from());
    let mut out: Vec<RegimeId> = policy.regimes.clone();
    for (applies, id) in [
        (cra, RegimeId::Cra),
        (facts.on_chinese_market, RegimeId::Miit),
    ] {
        if applies && !out.contains(&id) {
            out.push(id);
        }
    }
    out.sort();
    out
}
