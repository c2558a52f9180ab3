//! The CVSS v4.0 scoring algorithm (MacroVector lookup and interpolation), as specified by
//! FIRST's reference calculator `cvss40.js`.
//!
//! The v4.0 specification defines the score by that algorithm, in binary floating point, so
//! psirt follows it operation for operation (same level constants, same order of additions,
//! same `1e-6` nudge before rounding half up) and matches the reference bit for bit. Unlike
//! the reference it works on small integers and arrays instead of strings, which is where the
//! speed comes from.

use super::lookup::{DIMS, MACRO_SCORES};

/// Effective metric levels, as indices into the reference's level tables
/// (0 → 0.0, 1 → 0.1, 2 → 0.2, 3 → 0.3; lower is more severe).
pub(super) struct Levels {
    pub av: u8,
    pub ac: u8,
    pub at: u8,
    pub pr: u8,
    pub ui: u8,
    pub vc: u8,
    pub vi: u8,
    pub va: u8,
    pub sc: u8,
    pub si: u8,
    pub sa: u8,
    pub cr: u8,
    pub ir: u8,
    pub ar: u8,
    pub e: u8,
}

/// The reference's level values; the literals matter, since the algorithm is float.
fn lv(i: u8) -> f64 {
    match i {
        0 => 0.0,
        1 => 0.1,
        2 => 0.2,
        _ => 0.3,
    }
}

/// Highest-severity vectors of each EQ level (FIRST's `max_composed`), as levels.
const EQ1_MAX: [&[[u8; 3]]; 3] = [
    &[[0, 0, 0]],
    &[[1, 0, 0], [0, 1, 0], [0, 0, 1]],
    &[[3, 0, 0], [1, 1, 1]],
];
const EQ2_MAX: [&[[u8; 2]]; 2] = [&[[0, 0]], &[[1, 0], [0, 1]]];
const EQ4_MAX: [&[[u8; 3]]; 3] = [&[[1, 0, 0]], &[[1, 1, 1]], &[[2, 2, 2]]];

/// EQ3+EQ6 maxima as (VC, VI, VA, CR, IR, AR) levels.
fn eq3eq6_max(eq3: u8, eq6: u8) -> &'static [[u8; 6]] {
    match (eq3, eq6) {
        (0, 0) => &[[0, 0, 0, 0, 0, 0]],
        (0, _) => &[[0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 1]],
        (1, 0) => &[[1, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]],
        (1, _) => &[
            [1, 0, 1, 0, 1, 0],
            [1, 0, 0, 0, 1, 1],
            [0, 1, 0, 1, 0, 1],
            [0, 1, 1, 1, 0, 0],
            [1, 1, 0, 0, 0, 1],
        ],
        _ => &[[1, 1, 1, 0, 0, 0]],
    }
}

/// FIRST's `maxSeverity` depths, in tenths.
fn max_severity(eq: usize, level: u8, eq6: u8) -> f64 {
    let depth: u8 = match (eq, level, eq6) {
        (1, 0, _) => 1,
        (1, 1, _) => 4,
        (1, _, _) => 5,
        (2, 0, _) => 1,
        (2, _, _) => 2,
        (3, 0, 0) => 7,
        (3, 0, _) => 6,
        (3, 1, _) => 8,
        (3, _, _) => 10,
        (4, 0, _) => 6,
        (4, 1, _) => 5,
        _ => 4,
    };
    f64::from(depth) * 0.1
}

/// MacroVector score, NaN where FIRST's table has no entry (as the reference's lookup does).
fn lookup(eq: [u8; 6]) -> f64 {
    if eq.iter().zip(DIMS.iter()).any(|(e, d)| e >= d) {
        return f64::NAN;
    }
    let [e1, e2, e3, e4, e5, e6] = eq.map(usize::from);
    let index = ((((e1 * 2 + e2) * 3 + e3) * 3 + e4) * 3 + e5) * 2 + e6;
    MACRO_SCORES.get(index).copied().unwrap_or(f64::NAN)
}

/// `eq` with component `k` increased by `by`.
fn bump(mut eq: [u8; 6], k: usize, by: u8) -> [u8; 6] {
    if let Some(e) = eq.get_mut(k) {
        *e = e.saturating_add(by);
    }
    eq
}

/// The score in tenths.
pub(super) fn score(m: &Levels) -> i64 {
    if m.vc == 2 && m.vi == 2 && m.va == 2 && m.sc == 3 && m.si == 3 && m.sa == 3 {
        return 0;
    }
    let eq1 = if m.av == 0 && m.pr == 0 && m.ui == 0 {
        0
    } else if (m.av == 0 || m.pr == 0 || m.ui == 0) && m.av != 3 {
        1
    } else {
        2
    };
    let eq2 = u8::from(!(m.ac == 0 && m.at == 0));
    let eq3 = if m.vc == 0 && m.vi == 0 {
        0
    } else if m.vc == 0 || m.vi == 0 || m.va == 0 {
        1
    } else {
        2
    };
    let eq4 = if m.si == 0 || m.sa == 0 {
        0
    } else if m.sc == 1 || m.si == 1 || m.sa == 1 {
        1
    } else {
        2
    };
    let eq5 = m.e;
    let eq6 = u8::from(
        !((m.cr == 0 && m.vc == 0) || (m.ir == 0 && m.vi == 0) || (m.ar == 0 && m.va == 0)),
    );
    let macro_vector = [eq1, eq2, eq3, eq4, eq5, eq6];
    let value = lookup(macro_vector);

    let next_eq1 = lookup(bump(macro_vector, 0, 1));
    let next_eq2 = lookup(bump(macro_vector, 1, 1));
    let next_eq3eq6 = match (eq3, eq6) {
        (0 | 1, 1) => lookup(bump(macro_vector, 2, 1)),
        (1, 0) => lookup(bump(macro_vector, 5, 1)),
        (0, 0) => {
            let left = lookup(bump(macro_vector, 5, 1));
            let right = lookup(bump(macro_vector, 2, 1));
            // Python's max(left, right): right only if strictly greater.
            if right > left { right } else { left }
        }
        _ => lookup(bump(bump(macro_vector, 2, 1), 5, 1)),
    };
    let next_eq4 = lookup(bump(macro_vector, 3, 1));
    let next_eq5 = lookup(bump(macro_vector, 4, 1));

    // Severity distances from the first max vector that the vector does not exceed; if none
    // qualifies, the reference keeps the distances of the last candidate. Whether a candidate
    // qualifies is decided on the integer levels; the float distances are computed once.
    let mut chosen = ([0; 3], [0; 2], [0; 6], [0; 3]);
    'search: for e1 in EQ1_MAX.get(usize::from(eq1)).copied().unwrap_or_default() {
        for e2 in EQ2_MAX.get(usize::from(eq2)).copied().unwrap_or_default() {
            for e36 in eq3eq6_max(eq3, eq6) {
                for e4 in EQ4_MAX.get(usize::from(eq4)).copied().unwrap_or_default() {
                    chosen = (*e1, *e2, *e36, *e4);
                    let [av, pr, ui] = *e1;
                    let [ac, at] = *e2;
                    let [vc, vi, va, cr, ir, ar] = *e36;
                    let [sc, si, sa] = *e4;
                    let exceeds = m.av < av
                        || m.pr < pr
                        || m.ui < ui
                        || m.ac < ac
                        || m.at < at
                        || m.vc < vc
                        || m.vi < vi
                        || m.va < va
                        || m.sc < sc
                        || m.si < si
                        || m.sa < sa
                        || m.cr < cr
                        || m.ir < ir
                        || m.ar < ar;
                    if !exceeds {
                        break 'search;
                    }
                }
            }
        }
    }
    let ([av, pr, ui], [ac, at], [vc, vi, va, cr, ir, ar], [sc, si, sa]) = chosen;
    let d = [
        lv(m.av) - lv(av),
        lv(m.pr) - lv(pr),
        lv(m.ui) - lv(ui),
        lv(m.ac) - lv(ac),
        lv(m.at) - lv(at),
        lv(m.vc) - lv(vc),
        lv(m.vi) - lv(vi),
        lv(m.va) - lv(va),
        lv(m.sc) - lv(sc),
        lv(m.si) - lv(si),
        lv(m.sa) - lv(sa),
        lv(m.cr) - lv(cr),
        lv(m.ir) - lv(ir),
        lv(m.ar) - lv(ar),
    ];
    let [
        d_av,
        d_pr,
        d_ui,
        d_ac,
        d_at,
        d_vc,
        d_vi,
        d_va,
        d_sc,
        d_si,
        d_sa,
        d_cr,
        d_ir,
        d_ar,
    ] = d;
    let current = [
        d_av + d_pr + d_ui,
        d_ac + d_at,
        d_vc + d_vi + d_va + d_cr + d_ir + d_ar,
        d_sc + d_si + d_sa,
    ];
    let max_sev = [
        max_severity(1, eq1, 0),
        max_severity(2, eq2, 0),
        max_severity(3, eq3, eq6),
        max_severity(4, eq4, 0),
    ];
    let available = [
        value - next_eq1,
        value - next_eq2,
        value - next_eq3eq6,
        value - next_eq4,
    ];

    let mut existing = 0_u8;
    let mut sum = 0.0_f64;
    for ((avail, cur), max) in available.iter().zip(current.iter()).zip(max_sev.iter()) {
        // NaN (no lower MacroVector) fails this comparison, as in the reference.
        if *avail >= 0.0 {
            existing += 1;
            sum += avail * (cur / max);
        }
    }
    // EQ5 counts as a neighbour but contributes no distance (its proportion is always 0).
    if value - next_eq5 >= 0.0 {
        existing += 1;
    }
    let mean = if existing == 0 {
        0.0
    } else {
        sum / f64::from(existing)
    };
    let value = (value - mean).clamp(0.0, 10.0);
    // Round half up after the reference's 1e-6 nudge; exact ties sit ≥ 6e-5 away from any
    // other reachable value, so f64 rounding cannot move a result across the boundary.
    ((value + 1e-6) * 10.0).round() as i64
}
