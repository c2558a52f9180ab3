//! CVSS v3.0 and v3.1: metric table and exact decimal scoring, plus an emulation of FIRST's
//! `cvsscalc30.js` (float arithmetic) that CSAF validators use for v3.0.
//!
//! The two versions differ in rounding (v3.0: decimal ceiling; v3.1: Appendix A "Roundup",
//! which first rounds to 5 decimal places) and in the environmental modified-impact formula
//! under a changed scope (v3.1 multiplies by 0.9731 and uses the 13th power).

use super::decimal::{div_ceil, div_round, pow_fixed24, pow10, to_i64};
use super::parse::{Lookup, MetricDef, def};
use std::sync::OnceLock;

/// v3.x metrics in specification order.
pub(super) const METRICS: [MetricDef; 22] = [
    def("AV", &["N", "A", "L", "P"], true),
    def("AC", &["L", "H"], true),
    def("PR", &["N", "L", "H"], true),
    def("UI", &["N", "R"], true),
    def("S", &["U", "C"], true),
    def("C", &["H", "L", "N"], true),
    def("I", &["H", "L", "N"], true),
    def("A", &["H", "L", "N"], true),
    def("E", &["X", "U", "P", "F", "H"], false),
    def("RL", &["X", "O", "T", "W", "U"], false),
    def("RC", &["X", "U", "R", "C"], false),
    def("CR", &["X", "L", "M", "H"], false),
    def("IR", &["X", "L", "M", "H"], false),
    def("AR", &["X", "L", "M", "H"], false),
    def("MAV", &["X", "N", "A", "L", "P"], false),
    def("MAC", &["X", "L", "H"], false),
    def("MPR", &["X", "N", "L", "H"], false),
    def("MUI", &["X", "N", "R"], false),
    def("MS", &["X", "U", "C"], false),
    def("MC", &["X", "H", "L", "N"], false),
    def("MI", &["X", "H", "L", "N"], false),
    def("MA", &["X", "H", "L", "N"], false),
];

/// Fast-path component table, built at compile time.
pub(super) static LOOKUP: Lookup = Lookup::new(&METRICS);

// Weights in hundredths (requirements in tenths), in the order of the base values above.
const AV: [i64; 4] = [85, 62, 55, 20];
const AC: [i64; 2] = [77, 44];
const PR_UNCHANGED: [i64; 3] = [85, 62, 27];
const PR_CHANGED: [i64; 3] = [85, 68, 50];
const UI: [i64; 2] = [85, 62];
const CIA: [i64; 3] = [56, 22, 0];
const E: [i64; 5] = [100, 91, 94, 97, 100];
const RL: [i64; 5] = [100, 95, 96, 97, 100];
const RC: [i64; 4] = [100, 92, 96, 100];
const REQ: [i64; 4] = [10, 5, 10, 15];

/// Weight of a 1-based value index (0 = absent, weight of the first entry: "X" where it exists).
fn w<const N: usize>(table: &[i64; N], v: u8) -> i64 {
    let i = usize::from(v.saturating_sub(1));
    table.get(i).copied().unwrap_or(0)
}

/// The effective base value of a modified metric: the modified value unless absent or `X`
/// (modified tables are the base table with `X` in front).
fn eff(modified: u8, base: u8) -> u8 {
    if modified >= 2 { modified - 1 } else { base }
}

/// A parsed v3.x vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct V3 {
    /// 0 for v3.0, 1 for v3.1.
    pub minor: u8,
    pub values: [u8; 22],
}

/// Weights of one vector, base and modified (effective) ones, as integers.
struct Weights {
    av: i64,
    ac: i64,
    pr: i64,
    ui: i64,
    changed: bool,
    c: i64,
    i: i64,
    a: i64,
    e: i64,
    rl: i64,
    rc: i64,
    cr: i64,
    ir: i64,
    ar: i64,
    mav: i64,
    mac: i64,
    mpr: i64,
    mui: i64,
    m_changed: bool,
    mc: i64,
    mi: i64,
    ma: i64,
}

impl V3 {
    fn weights(&self) -> Weights {
        let [
            av,
            ac,
            pr,
            ui,
            s,
            c,
            i,
            a,
            e,
            rl,
            rc,
            cr,
            ir,
            ar,
            mav,
            mac,
            mpr,
            mui,
            ms,
            mc,
            mi,
            ma,
        ] = self.values;
        let changed = s == 2;
        let m_changed = eff(ms, s) == 2;
        let pr_table = |changed: bool| if changed { &PR_CHANGED } else { &PR_UNCHANGED };
        Weights {
            av: w(&AV, av),
            ac: w(&AC, ac),
            pr: w(pr_table(changed), pr),
            ui: w(&UI, ui),
            changed,
            c: w(&CIA, c),
            i: w(&CIA, i),
            a: w(&CIA, a),
            e: w(&E, e),
            rl: w(&RL, rl),
            rc: w(&RC, rc),
            cr: w(&REQ, cr),
            ir: w(&REQ, ir),
            ar: w(&REQ, ar),
            mav: w(&AV, eff(mav, av)),
            mac: w(&AC, eff(mac, ac)),
            mpr: w(pr_table(m_changed), eff(mpr, pr)),
            mui: w(&UI, eff(mui, ui)),
            m_changed,
            mc: w(&CIA, eff(mc, c)),
            mi: w(&CIA, eff(mi, i)),
            ma: w(&CIA, eff(ma, a)),
        }
    }

    pub fn has_temporal(&self) -> bool {
        self.values
            .get(8..11)
            .is_some_and(|t| t.iter().any(|v| *v >= 2))
    }

    pub fn has_environmental(&self) -> bool {
        self.values
            .get(11..)
            .is_some_and(|t| t.iter().any(|v| *v >= 2))
    }

    /// Round up a non-negative value given at 10^`digits` (≥ 5) to tenths: v3.0 takes the
    /// decimal ceiling; v3.1 follows Appendix A (round to 5 decimals first, then up).
    fn roundup(&self, x: i128, digits: u32) -> i64 {
        let tenths = if self.minor == 0 {
            div_ceil(x, pow10(digits - 1))
        } else {
            div_ceil(div_round(x, pow10(digits - 5)), 10_000)
        };
        to_i64(tenths)
    }

    /// Round up of `impact + exploitability` (× 1.08 if the scope changed), capped at 10.
    ///
    /// Fast path: the same sum in `f64` (error below 10^-13) decides whenever it is not
    /// within 10^-6 of a rounding boundary; only near a boundary is the exact sum needed.
    fn roundup_sum(&self, impact: Impact, exploitability: i64, changed: bool) -> i64 {
        let Impact(impact, impact_f64) = impact;
        let factor = if changed { 1.08 } else { 1.0 };
        let x = (impact_f64 + exploitability as f64 / 1e10) * factor;
        if let Some(tenths) = self.roundup_f64(x) {
            return tenths;
        }
        // Impact at 10^24, exploitability at 10^10; the sum × 1.08 (or × 1.00) at 10^26.
        let sum = impact + i128::from(exploitability) * pow10(14);
        let sum = sum * if changed { 108 } else { 100 };
        self.roundup(sum.min(10 * pow10(26)), 26)
    }

    /// [`Self::roundup`] of min(x, 10) for an `f64` known to within 10^-13, or `None` when x
    /// is too close to a rounding boundary to decide.
    fn roundup_f64(&self, x: f64) -> Option<i64> {
        const MARGIN: f64 = 1e-6;
        if x >= 10.0 + MARGIN {
            return Some(100);
        }
        if x > 10.0 - MARGIN {
            return None;
        }
        // 0 < x < 10 here, so truncating casts are floors (`f64::floor` is a libm call on
        // baseline x86-64).
        if self.minor == 0 {
            let y = x * 10.0;
            let floor = y as i64;
            let fraction = y - floor as f64;
            if !(MARGIN..=1.0 - MARGIN).contains(&fraction) {
                return None;
            }
            return Some(floor + 1);
        }
        let y = x * 100_000.0;
        let floor = y as i64;
        let fraction = y - floor as f64;
        if (fraction - 0.5).abs() < MARGIN {
            return None;
        }
        let int_input = floor + i64::from(fraction > 0.5);
        Some(if int_input % 10_000 == 0 {
            int_input / 10_000
        } else {
            int_input / 10_000 + 1
        })
    }

    /// Round up of `tenths × E × RL × RC`: an integer at 10^7, below 10^9, so `i64` suffices.
    fn roundup_erlrc(&self, erlrc: i64, tenths: i64) -> i64 {
        let x = tenths * erlrc;
        if self.minor == 0 {
            x.div_euclid(1_000_000) + i64::from(x.rem_euclid(1_000_000) != 0)
        } else {
            let int_input = x / 100 + i64::from(x % 100 >= 50);
            int_input / 10_000 + i64::from(int_input % 10_000 != 0)
        }
    }

    /// (base, temporal, environmental) in tenths; temporal and environmental only when the
    /// vector defines them. One pass over the weights for all three.
    pub fn scores(&self) -> (i64, Option<i64>, Option<i64>) {
        let [.., e, rl, rc, _, _, _, _, _, _, _, _, _, _, _] = self.values;
        // Only the weights the scores use: the base score comes from a table.
        let erlrc = w(&E, e) * w(&RL, rl) * w(&RC, rc);
        let base = self.base();
        let temporal = self.has_temporal().then(|| self.roundup_erlrc(erlrc, base));
        (
            base,
            temporal,
            self.has_environmental().then(|| self.environmental(erlrc)),
        )
    }

    /// The base score from [`BASE_SCORES`]; `base_equation` computes the same at run time.
    fn base(&self) -> i64 {
        let [av, ac, pr, ui, s, c, i, a, ..] =
            self.values.map(|v| usize::from(v.saturating_sub(1)));
        let index = (((((((av * 2 + ac) * 3 + pr) * 2 + ui) * 2 + s) * 3 + c) * 3 + i) * 3) + a;
        BASE_SCORES
            .get(usize::from(self.minor))
            .and_then(|t| t.get(index))
            .map_or(0, |b| i64::from(*b))
    }

    #[cfg(test)]
    fn base_equation(&self, w: &Weights) -> i64 {
        let index = |v: u8| usize::from(v.saturating_sub(1));
        let [.., c, i, a] = self.values.first_chunk::<8>().copied().unwrap_or_default();
        let impact = BASE_IMPACT
            .get(index(c) * 9 + index(i) * 3 + index(a))
            .and_then(|row| row.get(usize::from(w.changed)))
            .copied();
        match impact {
            Some(impact) if impact.0 > 0 => {
                self.roundup_sum(impact, exploitability(w.av, w.ac, w.pr, w.ui), w.changed)
            }
            _ => 0,
        }
    }

    fn environmental(&self, erlrc: i64) -> i64 {
        let [
            av,
            ac,
            pr,
            ui,
            s,
            c,
            i,
            a,
            _,
            _,
            _,
            cr,
            ir,
            ar,
            mav,
            mac,
            mpr,
            mui,
            ms,
            mc,
            mi,
            ma,
        ] = self.values;
        let m_changed = eff(ms, s) == 2;
        let index = |v: u8| usize::from(v.saturating_sub(1));
        let req = |v: u8| match v {
            2 => 0,
            4 => 2,
            _ => 1,
        };
        let pair = |m: u8, base: u8, r: u8| index(eff(m, base)) * 3 + req(r);
        let m_cia = pair(mc, c, cr) * 81 + pair(mi, i, ir) * 9 + pair(ma, a, ar);
        let k = (((m_cia * 4 + index(eff(mav, av))) * 2 + index(eff(mac, ac))) * 3
            + index(eff(mpr, pr)))
            * 2
            + index(eff(mui, ui));
        let modified = self
            .modified_bases()
            .get(k * 2 + usize::from(m_changed))
            .map_or(0, |m| i64::from(*m));
        self.roundup_erlrc(erlrc, modified)
    }

    /// The environmental "modified base" score (before × E × RL × RC) in tenths of every
    /// combination of effective MC/CR/MI/IR/MA/AR (packed as for [`ENV_IMPACT`]), MAV, MAC,
    /// MPR, MUI and modified scope, indexed `((((m_cia*4+mav)*2+mac)*3+mpr)*2+mui)*2+ms`:
    /// 69,984 entries per version, computed with [`Self::modified_base`] on first use.
    fn modified_bases(&self) -> &'static [u8] {
        static TABLES: [OnceLock<Vec<u8>>; 2] = [OnceLock::new(), OnceLock::new()];
        let Some(table) = TABLES.get(usize::from(self.minor)) else {
            return &[];
        };
        table.get_or_init(|| {
            (0..729 * 4 * 2 * 3 * 2 * 2)
                .map(|k: usize| {
                    let (changed, rest) = (k % 2 == 1, k / 2);
                    let (mui, rest) = (rest % 2, rest / 2);
                    let (mpr, rest) = (rest % 3, rest / 3);
                    let (mac, rest) = (rest % 2, rest / 2);
                    let (mav, m_cia) = (rest % 4, rest / 4);
                    let tenths = self.modified_base(m_cia, [mav, mac, mpr, mui], changed);
                    u8::try_from(tenths).unwrap_or(0)
                })
                .collect()
        })
    }

    /// The environmental modified base score in tenths, from the formula, for zero-based
    /// effective MAV/MAC/MPR/MUI indices.
    fn modified_base(&self, m_cia: usize, m: [usize; 4], m_changed: bool) -> i64 {
        let variant = match (m_changed, self.minor) {
            (false, _) => 0,
            (true, 0) => 1,
            (true, _) => 2,
        };
        let impact = ENV_IMPACT
            .get(variant)
            .and_then(|row| row.get(m_cia))
            .copied();
        let weight = |table: &[i64], i: usize| table.get(i).copied().unwrap_or(0);
        match impact {
            Some(impact) if impact.0 > 0 => {
                let pr_table = if m_changed {
                    &PR_CHANGED
                } else {
                    &PR_UNCHANGED
                };
                let [mav, mac, mpr, mui] = m;
                let exploitability = exploitability(
                    weight(&AV, mav),
                    weight(&AC, mac),
                    weight(pr_table, mpr),
                    weight(&UI, mui),
                );
                self.roundup_sum(impact, exploitability, m_changed)
            }
            _ => 0,
        }
    }

    /// (base, temporal, environmental) in tenths as FIRST's `cvsscalc30.js` computes them in
    /// binary floating point (CSAF test 6.1.9 uses it for v3.0).
    pub fn scores_js30(&self) -> (i64, i64, i64) {
        let w = self.weights();
        let f = |x: i64| x as f64 / 100.0;
        let req = |x: i64| x as f64 / 10.0;
        let round_up1 = |d: f64| (d * 10.0).ceil() / 10.0;
        let (e, rl, rc) = (f(w.e), f(w.rl), f(w.rc));
        let exploitability = 8.22 * f(w.av) * f(w.ac) * f(w.pr) * f(w.ui);
        let multiplier = 1.0 - ((1.0 - f(w.c)) * (1.0 - f(w.i)) * (1.0 - f(w.a)));
        let impact = if w.changed {
            7.52 * (multiplier - 0.029) - 3.25 * (multiplier - 0.02).powf(15.0)
        } else {
            6.42 * multiplier
        };
        let base = if impact <= 0.0 {
            0.0
        } else if w.changed {
            round_up1(f64::min((exploitability + impact) * 1.08, 10.0))
        } else {
            round_up1(f64::min(exploitability + impact, 10.0))
        };
        let temporal = round_up1(base * e * rl * rc);
        let m_exploitability = 8.22 * f(w.mav) * f(w.mac) * f(w.mpr) * f(w.mui);
        let m_multiplier = f64::min(
            1.0 - ((1.0 - f(w.mc) * req(w.cr))
                * (1.0 - f(w.mi) * req(w.ir))
                * (1.0 - f(w.ma) * req(w.ar))),
            0.915,
        );
        let (m_impact, env) = if w.m_changed {
            let m_impact = 7.52 * (m_multiplier - 0.029) - 3.25 * (m_multiplier - 0.02).powf(15.0);
            let env = round_up1(
                round_up1(f64::min(1.08 * (m_impact + m_exploitability), 10.0)) * e * rl * rc,
            );
            (m_impact, env)
        } else {
            let m_impact = 6.42 * m_multiplier;
            let env =
                round_up1(round_up1(f64::min(m_impact + m_exploitability, 10.0)) * e * rl * rc);
            (m_impact, env)
        };
        let env = if m_impact <= 0.0 { 0.0 } else { env };
        let tenths = |x: f64| (x * 10.0).round() as i64;
        (tenths(base), tenths(temporal), tenths(env))
    }
}

/// 8.22 × AV × AC × PR × UI, at 10^10 (at most 4.4 × 10^10).
const fn exploitability(av: i64, ac: i64, pr: i64, ui: i64) -> i64 {
    822 * av * ac * pr * ui
}

/// ISS = 1 − (1−C)(1−I)(1−A) at 10^6, for the C/I/A value indices packed as `c*9 + i*3 + a`.
#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
const fn iss(k: usize) -> i128 {
    let (c, i, a) = (CIA[k / 9], CIA[k / 3 % 3], CIA[k % 3]);
    1_000_000 - ((100 - c) * (100 - i) * (100 - a)) as i128
}

/// An impact sub-score at 10^24, and the same as an `f64` for the fast path.
#[derive(Debug, Clone, Copy)]
struct Impact(i128, f64);

impl Impact {
    const fn new(exact: i128) -> Impact {
        Impact(exact, exact as f64 / 1e24)
    }
}

/// Base impact sub-score for every C/I/A combination: [unchanged, changed] scope. Computed
/// at compile time, so the 15th power costs nothing per vector.
#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
static BASE_IMPACT: [[Impact; 2]; 27] = {
    let mut table = [[Impact(0, 0.0); 2]; 27];
    let mut k = 0;
    while k < 27 {
        let iss = iss(k);
        table[k][0] = Impact::new(642 * iss * pow10(16));
        table[k][1] = Impact::new(
            752 * (iss - 29_000) * pow10(16) - 325 * pow_fixed24(iss - 20_000, 6, 15) / 100,
        );
        k += 1;
    }
    table
};

/// Requirement weights (tenths) in packed-index order: L, M (or X), H.
const REQ_LMH: [i64; 3] = [5, 10, 15];

/// MISS = min(1 − (1−MC·CR)(1−MI·IR)(1−MA·AR), 0.915) at 10^9, for packed indices
/// `(mc*3 + cr) * 81 + (mi*3 + ir) * 9 + (ma*3 + ar)`.
#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
const fn miss(k: usize) -> i128 {
    let (x, y, z) = (k / 81, k / 9 % 9, k % 9);
    let fx = 1000 - CIA[x / 3] * REQ_LMH[x % 3];
    let fy = 1000 - CIA[y / 3] * REQ_LMH[y % 3];
    let fz = 1000 - CIA[z / 3] * REQ_LMH[z % 3];
    let miss = 1_000_000_000 - (fx * fy * fz) as i128;
    if miss < 915_000_000 {
        miss
    } else {
        915_000_000
    }
}

/// Environmental modified impact at 10^24 for every packed MC/CR/MI/IR/MA/AR combination:
/// [unchanged scope, changed scope v3.0, changed scope v3.1]. Computed at compile time.
#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
static ENV_IMPACT: [[Impact; 729]; 3] = {
    let mut table = [[Impact(0, 0.0); 729]; 3];
    let mut k = 0;
    while k < 729 {
        let miss = miss(k);
        let linear = 752 * (miss - 29_000_000) * pow10(13);
        table[0][k] = Impact::new(642 * miss * pow10(13));
        table[1][k] = Impact::new(linear - 325 * pow_fixed24(miss - 20_000_000, 9, 15) / 100);
        table[2][k] =
            Impact::new(linear - 325 * pow_fixed24(miss * 9731 - 200_000_000_000, 13, 13) / 100);
        k += 1;
    }
    table
};

/// v3.0 (`minor` 0) and v3.1 (1) base scores in tenths, indexed by the zero-based base
/// value indices packed as `((((((av*2+ac)*3+pr)*2+ui)*2+s)*3+c)*3+i)*3+a`. Computed at compile
/// time with the exact decimal formula, so a base score is one load.
#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
static BASE_SCORES: [[u8; 2592]; 2] = {
    let mut table = [[0_u8; 2592]; 2];
    let mut k = 0;
    while k < 2592 {
        let (cia, rest) = (k % 27, k / 27);
        let (changed, rest) = (rest % 2 == 1, rest / 2);
        let (ui, rest) = (rest % 2, rest / 2);
        let (pr, rest) = (rest % 3, rest / 3);
        let (ac, av) = (rest % 2, rest / 2);
        let pr = if changed {
            PR_CHANGED[pr]
        } else {
            PR_UNCHANGED[pr]
        };
        let impact = BASE_IMPACT[cia][changed as usize].0;
        if impact > 0 {
            let exploitability = exploitability(AV[av], AC[ac], pr, UI[ui]);
            let sum =
                (impact + exploitability as i128 * pow10(14)) * if changed { 108 } else { 100 };
            let sum = if sum < 10 * pow10(26) {
                sum
            } else {
                10 * pow10(26)
            };
            // v3.0: decimal ceiling; v3.1: Appendix A Roundup (5 decimals first).
            table[0][k] = div_ceil(sum, pow10(25)) as u8;
            table[1][k] = div_ceil(div_round(sum, pow10(21)), 10_000) as u8;
        }
        k += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds exactly what the run-time formula (f64 fast path + exact fallback)
    /// computes, for every base vector of both versions.
    #[test]
    fn base_table_matches_the_formula() {
        for minor in 0..2 {
            for k in 0..2592_usize {
                let mut values = [0_u8; 22];
                let digits = [
                    k / 648,
                    k / 324 % 2,
                    k / 108 % 3,
                    k / 54 % 2,
                    k / 27 % 2,
                    k / 9 % 3,
                    k / 3 % 3,
                    k % 3,
                ];
                for (v, d) in values.iter_mut().zip(digits) {
                    *v = d as u8 + 1;
                }
                let v = V3 { minor, values };
                assert_eq!(v.base(), v.base_equation(&v.weights()), "{values:?}");
            }
        }
    }
}
