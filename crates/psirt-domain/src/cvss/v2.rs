//! CVSS v2.0: metric table and scoring, exact decimal (as NVD and Red Hat's `cvss` compute
//! it), plus an emulation of the JavaScript environmental formula that CSAF validators use.

use super::decimal::{div_round, pow10, to_i64};
use super::parse::{Lookup, MetricDef, def};

/// v2.0 metrics in the order of the v2.0 guide's vector format.
pub(super) const METRICS: [MetricDef; 14] = [
    def("AV", &["L", "A", "N"], true),
    def("AC", &["H", "M", "L"], true),
    def("Au", &["M", "S", "N"], true),
    def("C", &["N", "P", "C"], true),
    def("I", &["N", "P", "C"], true),
    def("A", &["N", "P", "C"], true),
    def("E", &["U", "POC", "F", "H", "ND"], false),
    def("RL", &["OF", "TF", "W", "U", "ND"], false),
    def("RC", &["UC", "UR", "C", "ND"], false),
    def("CDP", &["N", "L", "LM", "MH", "H", "ND"], false),
    def("TD", &["N", "L", "M", "H", "ND"], false),
    def("CR", &["L", "M", "H", "ND"], false),
    def("IR", &["L", "M", "H", "ND"], false),
    def("AR", &["L", "M", "H", "ND"], false),
];

/// Fast-path component table, built at compile time.
pub(super) static LOOKUP: Lookup = Lookup::new(&METRICS);

// Weights in thousandths, in the order of the values above.
const AV: [i64; 3] = [395, 646, 1000];
const AC: [i64; 3] = [350, 610, 710];
const AU: [i64; 3] = [450, 560, 704];
const CIA: [i64; 3] = [0, 275, 660];
const E: [i64; 5] = [850, 900, 950, 1000, 1000];
const RL: [i64; 5] = [870, 900, 950, 1000, 1000];
const RC: [i64; 4] = [900, 950, 1000, 1000];
const CDP: [i64; 6] = [0, 100, 300, 400, 500, 0];
const TD: [i64; 5] = [0, 250, 750, 1000, 1000];
const REQ: [i64; 4] = [500, 1000, 1510, 1000];

/// Weight of parsed value `v` (0 = absent → `absent`).
fn w<const N: usize>(table: &[i64; N], v: u8, absent: i64) -> i64 {
    v.checked_sub(1)
        .and_then(|i| table.get(usize::from(i)))
        .copied()
        .unwrap_or(absent)
}

/// Whether a metric is present with a value other than "Not Defined" (`nd`, 1-based).
fn defined(v: u8, nd: u8) -> bool {
    v != 0 && v != nd
}

/// A parsed v2.0 vector (one parsed value per entry of [`METRICS`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct V2(pub [u8; 14]);

/// The v2.0 weights of one vector, in thousandths.
struct Weights {
    av: i64,
    ac: i64,
    au: i64,
    c: i64,
    i: i64,
    a: i64,
    e: i64,
    rl: i64,
    rc: i64,
    cdp: i64,
    td: i64,
    cr: i64,
    ir: i64,
    ar: i64,
}

impl V2 {
    fn weights(&self) -> Weights {
        let [av, ac, au, c, i, a, e, rl, rc, cdp, td, cr, ir, ar] = self.0;
        Weights {
            av: w(&AV, av, 0),
            ac: w(&AC, ac, 0),
            au: w(&AU, au, 0),
            c: w(&CIA, c, 0),
            i: w(&CIA, i, 0),
            a: w(&CIA, a, 0),
            e: w(&E, e, 1000),
            rl: w(&RL, rl, 1000),
            rc: w(&RC, rc, 1000),
            cdp: w(&CDP, cdp, 0),
            td: w(&TD, td, 1000),
            cr: w(&REQ, cr, 1000),
            ir: w(&REQ, ir, 1000),
            ar: w(&REQ, ar, 1000),
        }
    }

    pub fn has_temporal(&self) -> bool {
        let [_, _, _, _, _, _, e, rl, rc, ..] = self.0;
        defined(e, 5) || defined(rl, 5) || defined(rc, 4)
    }

    pub fn has_environmental(&self) -> bool {
        let [.., cdp, td, cr, ir, ar] = self.0;
        defined(cdp, 6) || defined(td, 5) || defined(cr, 4) || defined(ir, 4) || defined(ar, 4)
    }

    /// (base, temporal, environmental) in tenths, unclamped; temporal and environmental only
    /// when the vector defines them. One pass over the weights for all three.
    pub fn scores(&self) -> (i64, Option<i64>, Option<i64>) {
        let w = self.weights();
        let base = self.base();
        // The temporal score starts from the (non-negative) published base score.
        let temporal = self.has_temporal().then(|| times_erlrc(&w, base.max(0)));
        (
            base,
            temporal,
            self.has_environmental().then(|| environmental(&w)),
        )
    }

    /// The environmental score as csaf-validator-lib's `cvss2.js` computes it (the function
    /// CSAF test 6.1.9 uses), in tenths, or `None` when that function returns the base score
    /// (no environmental metric key present).
    pub fn environmental_js(&self) -> Option<i64> {
        let [av, ac, au, c, i, a, e, rl, rc, cdp, td, cr, ir, ar] = self.0;
        if [cdp, td, cr, ir, ar].iter().all(|v| *v == 0) {
            return None;
        }
        let f = |table: &[i64], v: u8, absent: i64| {
            let milli = v
                .checked_sub(1)
                .and_then(|i| table.get(usize::from(i)))
                .copied();
            // Weights are at most 1510 thousandths: exact in f64, and the quotient is the
            // double nearest the decimal weight, i.e. the JavaScript literal.
            milli.unwrap_or(absent) as f64 / 1000.0
        };
        let (c, i, a) = (f(&CIA, c, 0), f(&CIA, i, 0), f(&CIA, a, 0));
        let impact = 10.41
            * mkflt(
                mkint(1.0)
                    - mkint(
                        mkflt(mkint(1.0) - mkint(c))
                            * mkflt(mkint(1.0) - mkint(i))
                            * mkflt(mkint(1.0) - mkint(a)),
                    ),
            );
        let exploitability = 20.0 * f(&AC, ac, 0) * f(&AU, au, 0) * f(&AV, av, 0);
        let f_impact = if impact > 0.0 { 1.176 } else { 0.0 };
        let (cr, ir, ar) = (f(&REQ, cr, 1000), f(&REQ, ir, 1000), f(&REQ, ar, 1000));
        let adjusted_impact = f64::min(
            10.0,
            10.41
                * mkflt(
                    mkint(1.0)
                        - mkint(
                            mkflt(mkint(1.0) - mkint(c * cr))
                                * (mkflt(mkint(1.0) - mkint(i * ir))
                                    * mkflt(mkint(1.0) - mkint(a * ar))),
                        ),
                ),
        );
        let adjusted_base = quick_round(
            mkflt(mkint(0.6 * adjusted_impact) + mkint(0.4 * exploitability) - mkint(1.5))
                * f_impact,
        );
        let adjusted_temporal =
            quick_round(adjusted_base * f(&E, e, 1000) * f(&RL, rl, 1000) * f(&RC, rc, 1000));
        let env = quick_round(
            mkflt(
                mkint(adjusted_temporal)
                    + mkint(mkflt(mkint(10.0) - mkint(adjusted_temporal)) * f(&CDP, cdp, 0)),
            ) * f(&TD, td, 1000),
        );
        // `env` is k/10 for an integer k; ×10 and rounding recovers k.
        Some(js_round(env * 10.0) as i64)
    }
}

impl V2 {
    /// The base score from [`BASE_SCORES`]; `base_equation` computes the same at run time.
    fn base(&self) -> i64 {
        let [av, ac, au, c, i, a, ..] = self.0.map(|v| usize::from(v.saturating_sub(1)));
        let index = ((((av * 3 + ac) * 3 + au) * 3 + c) * 3 + i) * 3 + a;
        BASE_SCORES.get(index).map_or(0, |b| i64::from(*b))
    }
}

/// v2.0 base scores in tenths, indexed by the zero-based base value indices packed as
/// `((((av*3+ac)*3+au)*3+c)*3+i)*3+a`. Computed at compile time with the exact decimal
/// formula (the exact path of [`base_equation`]), so a base score is one load.
#[allow(clippy::indexing_slicing)] // compile-time only: a bad index fails the build
static BASE_SCORES: [i16; 729] = {
    let mut table = [0_i16; 729];
    let mut k = 0;
    while k < 729 {
        let (av, ac, au) = (AV[k / 243], AC[k / 81 % 3], AU[k / 27 % 3]);
        let (c, i, a) = (CIA[k / 9 % 3], CIA[k / 3 % 3], CIA[k % 3]);
        let rest = (1000 - c) * (1000 - i) * (1000 - a);
        // Impact at 10^11, exploitability at 10^9, as in `impact` and `base_equation`.
        let impact = 1041 * (pow10(9) - rest as i128);
        if impact != 0 {
            let exploitability = (20 * av * ac * au) as i128;
            let inner = 6 * impact + 4 * exploitability * pow10(2) - 15 * pow10(11);
            table[k] = div_round(inner * 1176, pow10(14)) as i16;
        }
        k += 1;
    }
    table
};

/// Environmental score in tenths. The adjusted temporal score is *not* clamped at zero
/// before it enters the formula, as in the guide and the reference implementation.
fn environmental(w: &Weights) -> i64 {
    let adjusted_temporal = times_erlrc(w, base_equation(w, adjusted_impact(w), 20));
    // (AT + (10 − AT) × CDP) × TD, at 10^7 (tenths × thousandths × thousandths).
    let inner = adjusted_temporal * 1000 + (100 - adjusted_temporal) * w.cdp;
    let x = inner * w.td;
    let (q, r) = (x / 1_000_000, x % 1_000_000);
    q + if r.abs() * 2 >= 1_000_000 {
        x.signum()
    } else {
        0
    }
}

/// 10.41 × (1 − (1−C)(1−I)(1−A)), at 10^11 (the base table is tested against it).
#[cfg(test)]
fn impact(w: &Weights) -> Impact {
    let rest = (1000 - w.c) * (1000 - w.i) * (1000 - w.a);
    Impact {
        exact: 1041 * (pow10(9) - i128::from(rest)),
        approx: 10.41 * (1.0 - rest as f64 / 1e9),
    }
}

/// min(10, 10.41 × (1 − (1−C·CR)(1−I·IR)(1−A·AR))), at 10^20.
fn adjusted_impact(w: &Weights) -> Impact {
    // Each factor is at most 10^6, so the product fits an `i64`.
    let factor = |x: i64, req: i64| 1_000_000 - x * req;
    let rest = factor(w.c, w.cr) * factor(w.i, w.ir) * factor(w.a, w.ar);
    Impact {
        exact: (1041 * (pow10(18) - i128::from(rest))).min(10 * pow10(20)),
        approx: f64::min(10.41 * (1.0 - rest as f64 / 1e18), 10.0),
    }
}

/// An impact sub-score, exact (scaled integer) and as an `f64` for the fast path.
struct Impact {
    exact: i128,
    approx: f64,
}

/// round_to_1_decimal(((0.6 × Impact) + (0.4 × Exploitability) − 1.5) × f(Impact)) in
/// tenths, unclamped; `impact` is given at 10^`digits`.
///
/// Fast path: the same formula in `f64` (error below 10^-13) decides unless the value is
/// within 10^-6 of a half tenth; only then is the exact integer formula needed.
fn base_equation(w: &Weights, impact: Impact, digits: u32) -> i64 {
    let Impact {
        exact: impact,
        approx,
    } = impact;
    if impact == 0 {
        return 0;
    }
    // Exploitability = 20 × AV × AC × Au, at 10^9.
    let exploitability = 20 * w.av * w.ac * w.au;
    let y = (0.6 * approx + 0.4 * (exploitability as f64 / 1e9) - 1.5) * 1.176 * 10.0;
    // |y| ≤ 200, so the truncating cast is a floor (`f64::floor` is a libm call on baseline
    // x86-64).
    let magnitude = y.abs();
    let floor = magnitude as i64;
    let fraction = magnitude - floor as f64;
    if (fraction - 0.5).abs() >= 1e-6 {
        let rounded = floor + i64::from(fraction > 0.5);
        return if y < 0.0 { -rounded } else { rounded };
    }
    let exploitability = i128::from(exploitability);
    // 0.6 × Impact and 0.4 × Exploitability at 10^(digits+1); then × 1.176 at 10^(digits+4).
    let inner = 6 * impact + 4 * exploitability * pow10(digits - 9) - 15 * pow10(digits);
    to_i64(div_round(inner * 1176, pow10(digits + 3)))
}

/// round_to_1_decimal(score × E × RL × RC), in tenths (exact in `i64`: at most 10^11).
fn times_erlrc(w: &Weights, tenths: i64) -> i64 {
    let x = tenths * w.e * w.rl * w.rc;
    let (q, r) = (x / 1_000_000_000, x % 1_000_000_000);
    q + if r.abs() * 2 >= 1_000_000_000 {
        x.signum()
    } else {
        0
    }
}

/// JavaScript's `Math.round`: halves go towards +∞.
fn js_round(x: f64) -> f64 {
    let floor = x.floor();
    if x - floor >= 0.5 { floor + 1.0 } else { floor }
}

fn mkint(x: f64) -> f64 {
    js_round(x * 1000.0)
}

fn mkflt(x: f64) -> f64 {
    x / 1000.0
}

fn quick_round(x: f64) -> f64 {
    js_round(x * 10.0) / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds exactly what the run-time formula (f64 fast path + exact fallback)
    /// computes, for every base vector.
    #[test]
    fn base_table_matches_the_formula() {
        for k in 0..729_usize {
            let mut values = [0_u8; 14];
            let digits = [k / 243, k / 81 % 3, k / 27 % 3, k / 9 % 3, k / 3 % 3, k % 3];
            for (v, d) in values.iter_mut().zip(digits) {
                *v = d as u8 + 1;
            }
            let v = V2(values);
            let w = v.weights();
            assert_eq!(v.base(), base_equation(&w, impact(&w), 11), "{values:?}");
        }
    }
}
