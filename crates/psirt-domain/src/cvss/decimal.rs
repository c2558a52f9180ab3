//! Exact decimal arithmetic for the CVSS v2.0 and v3.x formulas, as scaled integers.
//!
//! The specifications define the formulas over decimals (decimal weights, decimal round-up
//! and round-half-up rules). `f64` cannot represent 0.1 or 0.56, and its error flips results
//! exactly where a value sits on a rounding boundary. So every formula is evaluated on
//! integers scaled by a power of ten chosen so that every product is exact (at most 24
//! decimal places, in an `i128`), with a single division at each rounding step. Only the
//! `(x − 0.02)^15` (v3.0) and `(x·0.9731 − 0.02)^13` (v3.1) terms are rounded, at the 24th
//! decimal place, which is finer than Python's `Decimal` (28 significant digits) used by Red
//! Hat's reference implementation; those terms depend on three metrics only and are
//! tabulated at compile time (see `v3`).

/// `10^n` (saturating; callers use n ≤ 26).
pub(super) const fn pow10(n: u32) -> i128 {
    10_i128.saturating_pow(n)
}

/// `n / d` rounded half away from zero (Python's `ROUND_HALF_UP`); `d > 0`.
pub(super) const fn div_round(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if r.saturating_abs().saturating_mul(2) >= d {
        q.saturating_add(n.signum())
    } else {
        q
    }
}

/// `n / d` rounded towards +∞; `d > 0`.
pub(super) const fn div_ceil(n: i128, d: i128) -> i128 {
    let q = n.div_euclid(d);
    if n.rem_euclid(d) == 0 {
        q
    } else {
        q.saturating_add(1)
    }
}

/// `p^n` at 10^24 scale, for `p` given as an integer at 10^`digits` scale (`digits` ≤ 13,
/// |p| ≤ 10^digits so every step stays below 10^37). Each step rounds at the 24th place.
pub(super) const fn pow_fixed24(p: i128, digits: u32, n: u32) -> i128 {
    let mut acc = p.saturating_mul(pow10(24 - digits));
    let mut k = 1;
    while k < n {
        acc = div_round(acc.saturating_mul(p), pow10(digits));
        k += 1;
    }
    acc
}

/// Tenths (as `i64`, saturating) from an `i128`.
pub(super) fn to_i64(x: i128) -> i64 {
    i64::try_from(x).unwrap_or(if x < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_rules_are_decimal() {
        assert_eq!(div_ceil(40, 10), 4);
        assert_eq!(div_ceil(41, 10), 5);
        assert_eq!(div_round(85, 10), 9);
        assert_eq!(div_round(-15, 10), -2);
        assert_eq!(div_round(-14, 10), -1);
        assert_eq!(div_round(14, 10), 1);
    }

    #[test]
    fn powers_are_exact_where_representable() {
        // 0.5^15 = 0.000030517578125
        assert_eq!(pow_fixed24(5, 1, 15), 30_517_578_125 * pow10(9));
        // 3^13 = 1594323
        assert_eq!(pow_fixed24(3, 0, 13), 1_594_323 * pow10(24));
        // (−0.02)^3
        assert_eq!(pow_fixed24(-2, 2, 3), -8 * pow10(18));
    }
}
