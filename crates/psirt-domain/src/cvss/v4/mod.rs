//! CVSS v4.0: metric table, effective (modified) values, nomenclature and supplemental metrics.
//!
//! v4.0 scores one number from every metric present; which metrics were present is its
//! nomenclature (CVSS-B, CVSS-BT, CVSS-BE, CVSS-BTE). psirt exposes each of them separately:
//! the base score ignores threat and environmental metrics (CVSS-B), the threat score ignores
//! environmental ones (CVSS-BT), and the environmental score uses everything (CVSS-BE/BTE).

mod lookup;
mod score;

use std::fmt;

use super::parse::{Lookup, MetricDef, def};

/// v4.0 metrics in specification order.
pub(super) const METRICS: [MetricDef; 32] = [
    def("AV", &["N", "A", "L", "P"], true),
    def("AC", &["L", "H"], true),
    def("AT", &["N", "P"], true),
    def("PR", &["N", "L", "H"], true),
    def("UI", &["N", "P", "A"], true),
    def("VC", &["H", "L", "N"], true),
    def("VI", &["H", "L", "N"], true),
    def("VA", &["H", "L", "N"], true),
    def("SC", &["H", "L", "N"], true),
    def("SI", &["H", "L", "N"], true),
    def("SA", &["H", "L", "N"], true),
    def("E", &["X", "A", "P", "U"], false),
    def("CR", &["X", "H", "M", "L"], false),
    def("IR", &["X", "H", "M", "L"], false),
    def("AR", &["X", "H", "M", "L"], false),
    def("MAV", &["X", "N", "A", "L", "P"], false),
    def("MAC", &["X", "L", "H"], false),
    def("MAT", &["X", "N", "P"], false),
    def("MPR", &["X", "N", "L", "H"], false),
    def("MUI", &["X", "N", "P", "A"], false),
    def("MVC", &["X", "H", "L", "N"], false),
    def("MVI", &["X", "H", "L", "N"], false),
    def("MVA", &["X", "H", "L", "N"], false),
    def("MSC", &["X", "H", "L", "N"], false),
    def("MSI", &["X", "S", "H", "L", "N"], false),
    def("MSA", &["X", "S", "H", "L", "N"], false),
    def("S", &["X", "N", "P"], false),
    def("AU", &["X", "N", "Y"], false),
    def("R", &["X", "A", "U", "I"], false),
    def("V", &["X", "D", "C"], false),
    def("RE", &["X", "L", "M", "H"], false),
    def("U", &["X", "Clear", "Green", "Amber", "Red"], false),
];

/// Fast-path component table, built at compile time.
pub(super) static LOOKUP: Lookup = Lookup::new(&METRICS);

/// A parsed v4.0 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct V4(pub [u8; 32]);

/// Which metric groups a v4.0 score was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Nomenclature {
    /// Base metrics only.
    #[serde(rename = "CVSS-B")]
    B,
    /// Base and threat metrics.
    #[serde(rename = "CVSS-BT")]
    BT,
    /// Base and environmental metrics.
    #[serde(rename = "CVSS-BE")]
    BE,
    /// Base, threat and environmental metrics.
    #[serde(rename = "CVSS-BTE")]
    BTE,
}

impl fmt::Display for Nomenclature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Nomenclature::B => "CVSS-B",
            Nomenclature::BT => "CVSS-BT",
            Nomenclature::BE => "CVSS-BE",
            Nomenclature::BTE => "CVSS-BTE",
        })
    }
}

/// Effective value of a metric whose modified counterpart is `modified` (tables: `X` first).
fn eff(modified: u8, base: u8, use_modified: bool) -> u8 {
    if use_modified && modified >= 2 {
        modified - 1
    } else {
        base
    }
}

impl V4 {
    /// Whether Exploit Maturity (`E`) is defined.
    pub fn has_threat(&self) -> bool {
        self.0.get(11).is_some_and(|e| *e >= 2)
    }

    /// Whether any environmental metric (CR, IR, AR, MAV … MSA) is defined.
    pub fn has_environmental(&self) -> bool {
        self.0
            .get(12..26)
            .is_some_and(|m| m.iter().any(|v| *v >= 2))
    }

    pub fn nomenclature(&self) -> Nomenclature {
        match (self.has_threat(), self.has_environmental()) {
            (false, false) => Nomenclature::B,
            (true, false) => Nomenclature::BT,
            (false, true) => Nomenclature::BE,
            (true, true) => Nomenclature::BTE,
        }
    }

    /// The score in tenths using the base metrics, plus threat and/or environmental ones.
    pub fn score(&self, threat: bool, environmental: bool) -> i64 {
        let [
            av,
            ac,
            at,
            pr,
            ui,
            vc,
            vi,
            va,
            sc,
            si,
            sa,
            e,
            cr,
            ir,
            ar,
            mav,
            mac,
            mat,
            mpr,
            mui,
            mvc,
            mvi,
            mva,
            msc,
            msi,
            msa,
            ..,
        ] = self.0;
        let env = environmental;
        // Level indices as the reference orders them (0 = most severe); `X` means the default
        // (E → Attacked, CR/IR/AR → High), which is the most severe level, 0.
        let level = |v: u8| v.saturating_sub(1);
        let default_x = |v: u8, used: bool| if used { v.saturating_sub(2) } else { 0 };
        score::score(&score::Levels {
            av: level(eff(mav, av, env)),
            ac: level(eff(mac, ac, env)),
            at: level(eff(mat, at, env)),
            pr: level(eff(mpr, pr, env)),
            ui: level(eff(mui, ui, env)),
            vc: level(eff(mvc, vc, env)),
            vi: level(eff(mvi, vi, env)),
            va: level(eff(mva, va, env)),
            // Subsequent-system levels start at 0.1 (H); 0 is Safety, only reachable via MSI/MSA.
            sc: eff(msc, sc, env),
            si: if env && msi >= 2 { msi - 2 } else { si },
            sa: if env && msa >= 2 { msa - 2 } else { sa },
            cr: default_x(cr, env),
            ir: default_x(ir, env),
            ar: default_x(ar, env),
            e: default_x(e, threat),
        })
    }

    pub fn supplemental(&self) -> Supplemental {
        let [.., s, au, r, v, re, u] = self.0;
        Supplemental {
            safety: match s {
                2 => Some(Safety::Negligible),
                3 => Some(Safety::Present),
                _ => None,
            },
            automatable: match au {
                2 => Some(Automatable::No),
                3 => Some(Automatable::Yes),
                _ => None,
            },
            recovery: match r {
                2 => Some(Recovery::Automatic),
                3 => Some(Recovery::User),
                4 => Some(Recovery::Irrecoverable),
                _ => None,
            },
            value_density: match v {
                2 => Some(ValueDensity::Diffuse),
                3 => Some(ValueDensity::Concentrated),
                _ => None,
            },
            response_effort: match re {
                2 => Some(ResponseEffort::Low),
                3 => Some(ResponseEffort::Moderate),
                4 => Some(ResponseEffort::High),
                _ => None,
            },
            provider_urgency: match u {
                2 => Some(ProviderUrgency::Clear),
                3 => Some(ProviderUrgency::Green),
                4 => Some(ProviderUrgency::Amber),
                5 => Some(ProviderUrgency::Red),
                _ => None,
            },
        }
    }
}

/// CVSS v4.0 supplemental metrics: they never change the score, but carry facts a PSIRT acts
/// on (Safety matters for battery and power products). `None` = not defined (`X` or absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct Supplemental {
    /// `S`: whether exploitation can harm people.
    pub safety: Option<Safety>,
    /// `AU`: whether exploitation can be automated end to end.
    pub automatable: Option<Automatable>,
    /// `R`: how the component recovers.
    pub recovery: Option<Recovery>,
    /// `V`: resources an attacker gains per exploitation.
    pub value_density: Option<ValueDensity>,
    /// `RE`: effort for consumers to respond.
    pub response_effort: Option<ResponseEffort>,
    /// `U`: the provider's own urgency rating.
    pub provider_urgency: Option<ProviderUrgency>,
}

/// Safety (`S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Safety {
    /// `N`
    Negligible,
    /// `P`
    Present,
}

/// Automatable (`AU`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Automatable {
    /// `N`
    No,
    /// `Y`
    Yes,
}

/// Recovery (`R`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Recovery {
    /// `A`
    Automatic,
    /// `U`
    User,
    /// `I`
    Irrecoverable,
}

/// Value Density (`V`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ValueDensity {
    /// `D`
    Diffuse,
    /// `C`
    Concentrated,
}

/// Vulnerability Response Effort (`RE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ResponseEffort {
    /// `L`
    Low,
    /// `M`
    Moderate,
    /// `H`
    High,
}

/// Provider Urgency (`U`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ProviderUrgency {
    /// `Clear`
    Clear,
    /// `Green`
    Green,
    /// `Amber`
    Amber,
    /// `Red`
    Red,
}
